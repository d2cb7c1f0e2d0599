"""The shipped rule set: complete, self-consistent, and right on the seed article."""

from collections import Counter
from pathlib import Path

import pytest

from stripper import RuleSet, clean
from stripper.ruletest import check_rules

SHARED = Path(__file__).parent.parent.parent / "shared"
SEED = SHARED / "examples" / "jns-ukraine.txt"
VERDICTS = SHARED / "examples" / "jns-ukraine.expected.tsv"

CATEGORIES = {
    "paywall", "registration", "donation", "newsletter", "social",
    "ads", "cookies", "related", "comments", "credits",
}  # fmt: skip
APPEAL_CATEGORIES = ("paywall", "registration", "donation", "newsletter")
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl")


@pytest.fixture(scope="module")
def default() -> RuleSet:
    return RuleSet.default()


def test_default_rules_are_found_by_the_installed_package(default):
    assert len(default) >= 150
    assert CATEGORIES <= {r.category for r in default}


def test_every_rule_has_examples_and_counterexamples(default):
    for rule in default:
        assert rule.examples and rule.counterexamples, rule.id
        assert rule.id.startswith(rule.category + "."), rule.id


def test_appeal_categories_cover_seven_languages(default):
    have = Counter((r.category, r.lang) for r in default)
    missing = [(c, lang) for c in APPEAL_CATEGORIES for lang in LANGUAGES if not have[c, lang]]
    assert not missing


def test_every_example_and_counterexample_holds(default):
    failures = check_rules(default, require_counterexamples=True)
    assert not failures, "\n".join(map(str, failures[:20]))


@pytest.mark.skipif(not SEED.exists(), reason="shared examples not present")
def test_seed_article_with_default_rules(default):
    result = clean(SEED.read_text(encoding="utf-8"), default)
    out = result.text.split("\n")
    for n, verdict, category, line in (r.split("\t", 3) for r in VERDICTS.read_text("utf-8").splitlines()[1:]):
        if verdict == "keep":
            assert line in out, f"content line {n} lost"
        elif category == "duplicate":
            assert out.count(line) == 1
        elif verdict == "remove":
            assert line not in out, f"boilerplate line {n} kept: {line}"
