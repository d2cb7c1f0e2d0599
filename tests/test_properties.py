"""Promises that hold for every input: fuzzed rule files and arbitrary bytes."""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stripper import RuleError, RuleSet, clean
from stripper.engine import split_lines
from stripper.files import decode, encode
from stripper.rules import load_file

HERE = Path(__file__).parent
RULES = RuleSet.load([HERE / "rules"])

KEYS = [
    "id", "category", "lang", "description", "kind", "phrases", "pattern", "lines", "start", "end",
    "max_lines", "match", "max_words", "keywords", "examples", "counterexamples", "colour",
]  # fmt: skip
scalar = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["ads.x", "ads", "en", "line", "phrase", "block", "(", "a+", "[", "x"]),
    st.integers(-2, 30),
    st.booleans(),
)
value = st.one_of(scalar, st.lists(scalar, max_size=3))
rule_table = st.dictionaries(st.sampled_from(KEYS), value, max_size=8)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(map(toml_value, v)) + "]"
    return json.dumps(v)  # a JSON string is a valid TOML basic string


def toml_file(top: dict, rules: list[dict]) -> str:
    lines = [f"{k} = {toml_value(v)}" for k, v in top.items()]
    for rule in rules:
        lines.append("[[rule]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in rule.items()]
    return "\n".join(lines) + "\n"


def loads_or_rule_error(path: Path) -> None:
    try:
        rules = RuleSet(tuple(load_file(path)))
    except RuleError as exc:
        assert str(path) in str(exc)
        return
    clean("Advertisement\nA line of text.\n", rules)  # whatever loads must also run


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["category", "lang", "description", "x"]), scalar, max_size=3),
       st.lists(rule_table, max_size=3))  # fmt: skip
def test_fuzzed_rule_files_load_or_fail_with_rule_error(tmp_path, top, rules):
    path = tmp_path / "fuzz.toml"
    path.write_text(toml_file(top, rules), encoding="utf-8")
    loads_or_rule_error(path)


VALID = {
    "id": "ads.x",
    "category": "ads",
    "lang": "en",
    "description": "d",
    "phrases": ["advert"],
    "examples": ["advert"],
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(KEYS), value, max_size=2), st.sets(st.sampled_from(sorted(VALID)), max_size=2))
def test_one_bad_field_in_a_valid_rule(tmp_path, changes, dropped):
    rule = {k: v for k, v in {**VALID, **changes}.items() if k not in dropped}
    path = tmp_path / "mutant.toml"
    path.write_text(toml_file({}, [rule]), encoding="utf-8")
    loads_or_rule_error(path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_a_rule_file(tmp_path, data):
    path = tmp_path / "bytes.toml"
    path.write_bytes(data)
    loads_or_rule_error(path)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_round_trip_and_clean_consistently(data):
    text = decode(data)
    assert encode(text) == data
    result = clean(text, RULES)
    out = encode(result.text)
    if not result.removals:
        assert out == data
    # Removals are exactly the non-blank input lines missing from the output, in order.
    contents = split_lines(text)[0]
    removed = {r.line for r in result.removals}
    kept = [c for i, c in enumerate(contents, 1) if i not in removed and c.strip()]
    assert [c for c in split_lines(result.text)[0] if c.strip()] == kept
    assert all(contents[r.line - 1] == r.text for r in result.removals)
    assert clean(result.text, RULES).text == result.text


DEFAULT = RuleSet.default()
BOILERPLATE = [
    "Advertisement", "Share this article", "You have read 3 articles this month.", "Subscribe to continue reading.",
    "Sign up for our newsletter", "Jetzt spenden", "Anzeige", "Read more:", "Comments", "Photo: Reuters",
    "Already a subscriber? Log in", "Accept all cookies", "Follow us on Twitter",
]  # fmt: skip
CONTENT = [
    "The council voted 7-2 on Tuesday.", "Subscribers rose 10% this year, the company said.",
    "Die Regierung kündigte neue Spenden für die Ukraine an.", "", "  ", "Photo: Reuters", "Caf\udce9 au lait",
]  # fmt: skip
ENDINGS = ["\n", "\r\n", "\r"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(BOILERPLATE + CONTENT) | st.text(max_size=40), st.sampled_from(ENDINGS))),
    st.booleans(),
)
def test_default_rules_keep_lines_exact_and_report_every_removal(parts, final_ending):
    text = "".join(line + ending for line, ending in parts)
    if parts and not final_ending:
        text = text[: -len(parts[-1][1])]
    result = clean(text, DEFAULT)
    assert clean(result.text, DEFAULT).text == result.text  # idempotent
    lines = [c + e for c, e in zip(*split_lines(text), strict=True)]
    out = [c + e for c, e in zip(*split_lines(result.text), strict=True)]
    removed = {r.line: r for r in result.removals}
    kept, i = [], 0
    for number, line in enumerate(lines, 1):
        if number in removed:
            assert removed[number].text == line.rstrip("\r\n")
        elif i < len(out) and (line == out[i] or (i == len(out) - 1 and line.rstrip("\r\n") == out[i])):
            kept.append(number)
            i += 1
        else:  # only blank lines go without a removal
            assert not line.strip(), (number, line)
    assert i == len(out)  # every output line is an input line, in order
