"""Fuzz harness: the rule loader, the engine, the stream and the JSON Lines reader, fed arbitrary input.

The only outcomes allowed are a result or a RuleError / InputError naming the file; never another exception,
never a hang. The examples per test are few, to keep the suite fast; for a long fuzzing session, raise them:

    STRIPPER_FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/test_fuzz.py -q

(tests/test_properties.py fuzzes TOML-shaped rule files with the known keys; this harness also sends
arbitrary TOML documents: nested tables, floats, dates, inline tables, odd keys.)
"""

import datetime
import io
import json
import math
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stripper import RuleError, RuleSet, clean
from stripper.engine import split_lines
from stripper.files import InputError, decode, decode_document
from stripper.jsonl import Options, clean_line
from stripper.rules import load_file
from stripper.stream import clean_stream

EXAMPLES = int(os.environ.get("STRIPPER_FUZZ_EXAMPLES", "0"))
HERE = Path(__file__).parent
SEED = RuleSet.load([HERE / "rules" / "seed.toml"])
DEFAULT = RuleSet.default()


def fuzz(default: int, **options):
    """Hypothesis settings: `default` examples, or STRIPPER_FUZZ_EXAMPLES for a long session."""
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        **options,
    )


# -- TOML documents


def toml_key(key: str) -> str:
    return key if key.replace("_", "a").replace("-", "a").isalnum() and key.isascii() else json.dumps(key)


def toml_value(value) -> str:
    """A value as TOML: strings as JSON strings (valid TOML basic strings), tables inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int | datetime.date | datetime.time):
        return value.isoformat() if not isinstance(value, int) else str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(top: dict, rules: list[dict], array_of_tables: bool) -> str:
    """A TOML file: `top` keys, then the rules; a top-level "rule" of any type stands in when there are none."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in top.items() if k != "rule" or not rules]
    if not rules:
        return "\n".join(lines) + "\n"
    if array_of_tables:
        for rule in rules:
            lines.append("[[rule]]")
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in rule.items()]
    else:
        lines.append(f"rule = {toml_value(rules)}")
    return "\n".join(lines) + "\n"


RULE_KEYS = [
    "id", "category", "lang", "description", "kind", "phrases", "pattern", "lines", "start", "end",
    "max_lines", "match", "max_words", "keywords", "examples", "counterexamples",
]  # fmt: skip
scalars = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["ads.x", "ads", "en", "line", "start", "block", "(?i)advert", "(", "a{2,1}", r"\p{L}+", ""]),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.times(),
)
toml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
VALID = {"id": "ads.fuzz", "category": "ads", "lang": "en", "description": "d", "phrases": ["advert"]}
rule_tables = st.builds(
    lambda base, changes, extra: {**(VALID if base else {}), **changes, **extra},
    st.booleans(),
    st.dictionaries(st.sampled_from(RULE_KEYS), toml_values, max_size=3),
    st.dictionaries(st.text(max_size=6), toml_values, max_size=1),
)


@fuzz(150)
@given(
    st.dictionaries(st.sampled_from(["category", "lang", "description", "x", "rule"]), toml_values, max_size=3),
    st.lists(rule_tables, max_size=3),
    st.booleans(),
    st.text(max_size=200),
)
def test_any_toml_document_loads_or_fails_with_a_rule_error(tmp_path, top, rules, array_of_tables, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(toml_document(top, rules, array_of_tables), encoding="utf-8")
    try:
        loaded = RuleSet(tuple(load_file(path)))
    except RuleError as exc:
        assert str(path) in str(exc)
        return
    result = clean(text, loaded, timeout=0.01)  # whatever loads must also run, on any text
    assert all(split_lines(text)[0][r.line - 1] == r.text for r in result.removals)


@fuzz(200)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_toml_document(tmp_path, data):
    path = tmp_path / "bytes.toml"
    path.write_bytes(b'category = "ads"\n' + data)
    try:
        load_file(path)
    except RuleError as exc:
        assert str(path) in str(exc)


# -- the engine, the stream and documents

BOILERPLATE = ["Advertisement", "Share this article", "You have read 3 articles this month.", "Jetzt spenden"]
any_line = st.one_of(
    st.sampled_from(BOILERPLATE),
    st.text(st.characters(blacklist_categories=()), max_size=30),  # any code point, lone surrogates too
)
any_text = st.lists(st.tuples(any_line, st.sampled_from(["\n", "\r\n", "\r", ""])), max_size=30).map(
    lambda parts: "".join(a + b for a, b in parts)
)


def assert_output_is_input_minus_removals(text: str, out: str, removals) -> None:
    """Every output line is an input line, in order; every missing non-blank line is a reported removal."""
    lines = split_lines(text)[0]
    removed = {r.line for r in removals}
    assert all(lines[r.line - 1] == r.text for r in removals)
    kept = [c for i, c in enumerate(lines, 1) if i not in removed and c.strip()]
    assert [c for c in split_lines(out)[0] if c.strip()] == kept


@fuzz(60)
@given(any_text)
def test_the_engine_takes_any_text(text):
    result = clean(text, DEFAULT)
    assert_output_is_input_minus_removals(text, result.text, result.removals)


@fuzz(150)
@given(st.binary(max_size=3000), st.integers(0, 5), st.integers(1, 400))
def test_the_stream_takes_any_bytes_and_any_cuts(data, min_lines, max_chars):
    """Tiny windows cut by size (and by safe runs) never break a window's invariants or lose a line."""
    data = data.replace(b"\x00", b"\nAdvertisement\n")  # some boilerplate among the noise
    pieces = list(clean_stream(io.BytesIO(data), SEED, min_lines=min_lines, max_chars=max_chars))
    text = decode(data)
    out = "".join(p.text for p in pieces)
    assert_output_is_input_minus_removals(text, out, [r for p in pieces for r in p.removals])
    assert sum(p.lines for p in pieces) == len(split_lines(text)[0])


@fuzz(300)
@given(st.binary(max_size=300))
def test_any_bytes_as_a_document(data):
    try:
        text, _ = decode_document(data, "x.txt")
    except InputError as exc:
        assert str(exc).startswith("x.txt: ")
        return
    clean(text, SEED)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@fuzz(200)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.dictionaries(st.sampled_from(["text", "id", "stripper"]), json_values, max_size=3).map(
            lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")
        ),
    ),
    st.sampled_from(["pass", "skip", "error"]),
    st.sampled_from([b"\n", b"\r\n", b""]),
)
def test_any_json_lines_record(raw, on_bad, ending):
    raw = raw.replace(b"\n", b" ").replace(b"\r", b" ") + ending
    record = clean_line(raw, 7, "docs.jsonl", SEED, Options(on_bad=on_bad))
    if record.problem is not None:
        assert record.source == "docs.jsonl:7"
        assert record.output == (raw if on_bad == "pass" else b"")
    elif record.result is not None:
        assert record.output.endswith(ending)
        assert json.loads(record.output)["stripper"]["lines"] == record.result.lines
    else:  # a blank line, copied
        assert record.output == raw and not raw.strip()
