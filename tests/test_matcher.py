"""The fast matcher (keyword scan, exact-line hash, space bounds, lazy compiling) against the plain one.

`Matcher.reference` runs every rule on every line in load order; whatever the fast path skips, it must
reach the same verdict on every line, and the engine the same removals.
"""

import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stripper import RuleSet, clean
from stripper.engine import decide, split_lines
from stripper.matcher import Matcher, derive_keywords, rule_starts, whole_match_spaces
from stripper.normalize import normalise, normalise_lines
from stripper.rules import Rule

HERE = Path(__file__).parent
ROOT = HERE.parent
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT / "shared")
CORPUS = SHARED / "corpus" / "dev"
ARTICLE = SHARED / "examples" / "jns-ukraine.txt"
DEFAULT = RuleSet.default()


class ReferenceMatcher(Matcher):
    """The engine's matcher with every shortcut off: each line goes through Matcher.reference."""

    def match_candidates(self, text, candidates, timeout=None, skip=frozenset()):
        return self.reference(text, timeout, skip)


def verdicts(text: str, matcher: Matcher):
    contents, _ = split_lines(text)
    return decide(contents, matcher, timeout=None)[0]


_PLAIN: dict[RuleSet, Matcher] = {}


def assert_same_lines(lines, rules: RuleSet = DEFAULT) -> None:
    # One reference matcher per rule set: it compiles each rule once, and the hypothesis test calls this often.
    if rules not in _PLAIN:
        _PLAIN[rules] = Matcher(rules.rules)
    fast, plain = rules.matcher, _PLAIN[rules]
    for text in normalise_lines(lines):
        got, want = fast.match(text), plain.reference(text)
        assert (got and got.id) == (want and want.id), text


def corpus_sample(n: int = 120 if os.environ.get("STRIPPER_SLOW_TESTS") else 16) -> list[Path]:
    files = sorted(CORPUS.glob("*/*.txt"))
    return random.Random(5).sample(files, min(n, len(files)))


def rule_texts(rules: RuleSet) -> list[str]:
    return [line for r in rules for text in (*r.examples, *r.counterexamples) for line in text.splitlines()]


def test_rule_examples_and_counterexamples_get_the_same_verdicts():
    assert_same_lines(rule_texts(DEFAULT))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="dev corpus not present")
def test_dev_corpus_sample_gets_the_same_removals():
    for path in corpus_sample():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert verdicts(text, DEFAULT.matcher) == verdicts(text, ReferenceMatcher(DEFAULT.rules)), path


@pytest.mark.skipif(not ARTICLE.exists(), reason="shared example not present")
def test_example_article_gets_the_same_removals():
    text = ARTICLE.read_text(encoding="utf-8")
    assert verdicts(text, DEFAULT.matcher) == verdicts(text, ReferenceMatcher(DEFAULT.rules))
    assert clean(text, DEFAULT).removals  # the comparison is not between two empty results


@pytest.mark.parametrize("automaton", [False, True], ids=["trie-regex", "aho-corasick"])
def test_the_compiled_scanner_agrees(automaton):
    if automaton:
        pytest.importorskip("ahocorasick")
    matcher = Matcher(DEFAULT.rules)
    matcher.use_automaton = automaton
    matcher._unscanned = 0  # as past the plain-`in` budget of a long text: the compiled scanner runs
    text = "\n".join(rule_texts(DEFAULT)[::2])
    assert verdicts(text, matcher) == verdicts(text, ReferenceMatcher(DEFAULT.rules))
    assert (matcher._automaton is not None) == automaton and (matcher._scanner is not None) != automaton
    lines = text.split("\n")
    assert [matcher.keywords_in(t) for t in normalise_lines(lines[:300])] == [
        {k for k in matcher.keywords if k in t} for t in normalise_lines(lines[:300])
    ]


FRAGMENTS = [
    *(line for line in rule_texts(DEFAULT)[::7]),
    *DEFAULT.matcher.keywords[::11],
    "* ",
    "- ",
    "• ",
    "o ",
    "© ",
    "$5 a month",
    "Photo: ",
    "AP",
    "|",
    " ",
    "ß",
    "İ",
    "\u00a0",
    "\u200b",
    "’",
]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), min_size=1, max_size=8))
def test_random_lines_get_the_same_verdicts(parts):
    assert_same_lines(["".join(parts)])


def test_exact_line_rules_are_a_hash_lookup_in_load_order():
    lines = tuple(f"Related story number {i} of the week" for i in range(10_000))
    learned = Rule("learned.lines", "related", "en", "learned", "lines", match="line", lines=lines, examples=lines[:1])
    later = Rule("zz.later", "related", "en", "x", "phrases", phrases=("story number 5",), examples=("x",))
    rules = RuleSet((learned, later))
    probe = ["Related story number 17 of the week", "* Related story number 9999 of the week.", "story number 5"]
    assert_same_lines(probe, rules)
    assert rules.matcher.match(normalise(probe[1])).id == "learned.lines"
    assert rules.matcher.match(normalise(probe[2])).id == "zz.later"
    assert rules.matcher.match(normalise("Related story number 10000 of the week")) is None


def test_space_bounds():
    assert whole_match_spaces(r"^(?:foo|bar baz)$", anchored=False) == 1
    assert whole_match_spaces(r"foo bar", anchored=False) is None  # a search may match inside a longer line
    assert whole_match_spaces(r"(?:\w+ ){1,3}end", anchored=True) == 3
    assert whole_match_spaces(r"[^x]{2}", anchored=True) == 2
    assert whole_match_spaces(r"\w+ .*", anchored=True) is None
    assert whole_match_spaces(r"[\w-]+(?:,\S+)*", anchored=True) == 0


def test_symbols_are_keywords():
    assert derive_keywords(r"(?:©|\(c\)) \d{4}") == ("(c)", "©")
    assert derive_keywords(r"[$€]\d+") is None  # a class is not a literal


def pattern_rule(pattern: str, match: str = "line") -> Rule:
    return Rule("t.starts", "ads", "en", "x", "pattern", pattern=pattern, match=match, examples=("x",))


def test_start_literals():
    assert rule_starts(pattern_rule(r"^(?!.*\bis\b)\(?(?:foto|bild)s?: \w+$")) == ("(", "bild", "foto")
    assert rule_starts(pattern_rule(r"(?:Listen|play)(?: now)?|\d\d:\d\d")) == (*"0123456789", "listen", "play")
    assert rule_starts(pattern_rule(r"(?:foo )?bar")) == ("bar", "foo bar")
    assert rule_starts(pattern_rule(r"x*")) is None  # may match the empty line
    assert rule_starts(pattern_rule(r".bar")) is None
    assert rule_starts(pattern_rule(r"^foo|^bar", match="phrase")) == ("bar", "foo")
    assert rule_starts(pattern_rule(r"^foo|bar", match="phrase")) is None  # a search may match anywhere
    assert rule_starts(pattern_rule(r"-foo", match="start")) is None  # the start rule's trim class eats "-"
    assert rule_starts(pattern_rule("\u212aiel")) is None  # the Kelvin sign matches an ASCII "k"
    assert rule_starts(pattern_rule("\u0130stanbul")) is None  # and the dotted capital I an "i"


def test_start_literal_and_phrase_shortcuts_agree_with_the_regex():
    rules = RuleSet(
        (
            pattern_rule(r"^(?:facebook|x|e-?mail)(?: [|/] (?:facebook|x|e-?mail))+$"),
            Rule("t.phrases", "social", "en", "x", "phrases", phrases=("Teilen", "Partagé !"), match="line"),
        )
    )
    lines = ["Facebook | X | E-Mail", "x / email", "Teilen:", "partagé", "PARTAGÉ !", "Kelvin \u212a", "ſhare"]
    lines += ["»x | x", "İstanbul"]
    assert_same_lines(lines, rules)
    assert rules.matcher.match(normalise("* Teilen")).id == "t.phrases"
    assert rules.matcher.match(normalise("Twitter | X")) is None
