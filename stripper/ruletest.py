"""Self-test of rule files: every example must be removed, every counterexample kept."""

from __future__ import annotations

from dataclasses import dataclass, replace

from stripper.engine import clean
from stripper.rules import Rule, RuleSet


@dataclass(frozen=True, slots=True)
class Failure:
    rule: Rule
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.rule.where()}: {self.rule.id}: {self.reason}: {self.text!r}"


def check_rules(rules: RuleSet, *, require_counterexamples: bool = False) -> list[Failure]:
    """Run each rule alone on its examples, and the whole set on every counterexample.

    A near rule only removes a line next to a removed one, so it is tested as a plain rule: alone on its
    examples, and every near rule of the set on every counterexample, as if boilerplate stood beside it.
    """
    failures: list[Failure] = []
    near = RuleSet(tuple(replace(r, near=False) for r in rules if r.near))
    for rule in rules:
        alone = RuleSet((replace(rule, near=False) if rule.near else rule,))
        for example in rule.examples:
            result = clean(example, alone)
            removed = {r.line for r in result.removals}
            missed = [line for n, line in enumerate(example.splitlines(), 1) if line.strip() and n not in removed]
            if missed:
                failures.append(Failure(rule, missed[0], "example not removed"))
        for counter in rule.counterexamples:
            result = clean(counter, rules)
            if not result.removals and len(near):
                result = clean(counter, near)
            if result.removals:
                culprit = result.removals[0]
                by = "" if culprit.rule == rule.id else f" by {culprit.rule}"
                failures.append(Failure(rule, culprit.text, f"counterexample removed{by}"))
        if require_counterexamples and not rule.counterexamples:
            failures.append(Failure(rule, "", "no counterexamples"))
    return failures
