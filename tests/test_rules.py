"""Rule files: bad ones fail to load with a message naming file, line and rule."""

from pathlib import Path

import pytest

from stripper import RuleError, RuleSet
from stripper.matcher import derive_keywords
from stripper.ruletest import check_rules

HERE = Path(__file__).parent

GOOD = """category = "ads"
lang = "en"

[[rule]]
id = "ads.marker"
description = "Advertisement marker."
phrases = ["advertisement"]
match = "line"
examples = ["Advertisement"]
counterexamples = ["The advertisement ran for a week."]
"""


def write(tmp_path: Path, text: str, name: str = "r.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> RuleError:
    path = write(tmp_path, text)
    with pytest.raises(RuleError) as info:
        RuleSet.load([path])
    assert str(path) in str(info.value)
    return info.value


def test_good_file_loads(tmp_path):
    rules = RuleSet.load([write(tmp_path, GOOD)])
    (rule,) = rules
    assert (rule.id, rule.category, rule.lang, rule.kind, rule.match) == (
        "ads.marker", "ads", "en", "phrases", "line",
    )  # fmt: skip
    assert rule.source_line == 5


def test_bad_regex_names_rule_and_line(tmp_path):
    err = load_error(tmp_path, GOOD.replace('phrases = ["advertisement"]', "pattern = 'adver(tisement'"))
    assert err.rule == "ads.marker" and err.line == 5
    assert "bad pattern regex" in str(err)


def test_unknown_key(tmp_path):
    err = load_error(tmp_path, GOOD.replace("match =", "matches ="))
    assert "unknown key(s): matches" in str(err) and err.rule == "ads.marker"


def test_unknown_top_level_key(tmp_path):
    assert "unknown top-level key" in str(load_error(tmp_path, "colour = 1\n" + GOOD))


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(RuleError) as info:
        RuleSet.load([tmp_path])
    assert "duplicate id" in str(info.value) and "a.toml" in str(info.value) and "b.toml" in str(info.value)


@pytest.mark.parametrize("field", ["description", "examples"])
def test_missing_field(tmp_path, field):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(field))
    err = load_error(tmp_path, text)
    assert field in str(err) and err.rule == "ads.marker"


def test_missing_category_and_id(tmp_path):
    assert "'category'" in str(load_error(tmp_path, GOOD.replace('category = "ads"\n', "")))
    assert "has no 'id'" in str(load_error(tmp_path, GOOD.replace('id = "ads.marker"\n', "")))


def test_invalid_toml_names_the_line(tmp_path):
    err = load_error(tmp_path, GOOD.replace('lang = "en"', "lang = en"))
    assert err.line == 2 and "invalid TOML" in str(err)


@pytest.mark.parametrize(
    "change, message",
    [
        (('match = "line"', 'match = "word"'), "match must be one of"),
        (('phrases = ["advertisement"]', 'phrases = ["advertisement"]\npattern = "x"'), "exactly one of"),
        (('phrases = ["advertisement"]', 'kind = "block"\nstart = "a"'), "needs a 'end'"),
        (('phrases = ["advertisement"]', "phrases = []"), "at least one"),
        (('match = "line"', "max_words = 0"), "positive integer"),
        (('id = "ads.marker"', 'id = "Ads Marker"'), "id must look like"),
        (('lang = "en"', 'lang = "english"'), "lang must be"),
        (('phrases = ["advertisement"]', 'phrases = ["\\u200b"]'), "empty once normalised"),
        (('phrases = ["advertisement"]\nmatch = "line"', 'lines = ["* * *"]'), "only punctuation"),
    ],
)
def test_invalid_rule_fields(tmp_path, change, message):
    assert message in str(load_error(tmp_path, GOOD.replace(*change)))


def test_missing_rule_path():
    with pytest.raises(RuleError, match="no such rule file"):
        RuleSet.load(["/nonexistent/rules.toml"])


def test_selection_by_unknown_token_is_an_error():
    rules = RuleSet.load([HERE / "rules"])
    with pytest.raises(RuleError, match="matches no rule"):
        rules.select(["nonsense"])


def test_check_rules_reports_examples_and_counterexamples(tmp_path):
    bad = GOOD.replace('examples = ["Advertisement"]', 'examples = ["Advertising feature"]').replace(
        'counterexamples = ["The advertisement ran for a week."]', 'counterexamples = ["ADVERTISEMENT"]'
    )
    failures = check_rules(RuleSet.load([write(tmp_path, bad)]))
    assert [f.reason for f in failures] == ["example not removed", "counterexample removed"]
    assert check_rules(RuleSet.load([HERE / "rules"])) == []


def test_derived_keywords_are_required_literals():
    assert derive_keywords(r"you(?:'ve| have) read (?:more than )?\d+ articles") == ("articles",)
    # The stdlib parser factors the common "s" out of the branch; either remainder must appear.
    assert derive_keywords(r"^(?:subscribe|sign up) now") == ("ign up", "ubscribe")
    assert derive_keywords(r"foo(?=bar)") == ("foo",)
    assert derive_keywords(r"(?:newsletter|abonnieren)") == ("abonnieren", "newsletter")
    assert derive_keywords(r"\d+") is None


def test_sharp_s_in_a_pattern_meets_casefolded_lines(tmp_path):
    """Lines are casefolded ('ß' -> 'ss') before matching, so a pattern written with 'ß' must still match."""
    from stripper import clean

    text = GOOD.replace('phrases = ["advertisement"]\nmatch = "line"', "pattern = '^lesen sie außerdem:'")
    text = text.replace('examples = ["Advertisement"]', 'examples = ["Lesen Sie außerdem: Wahl in Berlin"]')
    rules = RuleSet.load([write(tmp_path, text)])
    for line in ["Lesen Sie außerdem: Wahl in Berlin", "LESEN SIE AUSSERDEM: Wahl", "Lesen Sie ausserdem: Wahl"]:
        assert [r.rule for r in clean(line + "\n", rules).removals] == ["ads.marker"], line
    assert not clean("Lesen Sie auch: Wahl\n", rules).removals


def test_rules_cache_serves_unchanged_files_and_rereads_changed_ones(tmp_path, monkeypatch):
    from stripper import rules as rules_module

    monkeypatch.setenv("STRIPPER_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, GOOD)
    first = RuleSet.load([path])
    assert list((tmp_path / "cache").rglob("*.pickle"))  # written
    calls = []
    real = rules_module.load_file
    monkeypatch.setattr(rules_module, "load_file", lambda p: calls.append(p) or real(p))
    assert RuleSet.load([path]) == first and calls == []  # served from the cache
    path.write_text(GOOD.replace("Advertisement marker.", "Advertisement marker, changed."), encoding="utf-8")
    changed = RuleSet.load([path])
    assert calls == [path] and changed != first
    for entry in (tmp_path / "cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert RuleSet.load([path]) == changed  # a broken cache is ignored


def test_rules_cache_keeps_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIPPER_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, GOOD.replace('phrases = ["advertisement"]', 'pattern = "(unclosed"'))
    for _ in range(2):  # a bad file is never cached: it fails the same way every time
        with pytest.raises(RuleError, match="bad pattern regex"):
            RuleSet.load([path])
