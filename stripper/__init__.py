"""stripper: remove boilerplate lines from scraped news text, and say why each line went."""

from stripper.engine import Problem, Removal, Result, clean
from stripper.rules import Rule, RuleError, RuleSet

__all__ = ["Problem", "Removal", "Result", "Rule", "RuleError", "RuleSet", "clean"]
__version__ = "0.1.0"
