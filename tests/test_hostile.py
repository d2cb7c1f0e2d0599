"""Hostile input and rules never hang a run: pathological regexes time out once, huge lines pass through."""

import io
import json
import time

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED, SEED_RULES

from stripper import RuleSet, clean
from stripper.engine import MAX_RULE_CHARS
from stripper.stream import clean_stream, windows

EVIL = """\
category = "ads"
lang = "en"

[[rule]]
id = "ads.evil"
description = "Backtracks exponentially on a run of a's that does not end the line."
pattern = '(a|a)+$'
examples = ["aaa"]
"""
EVIL_LINE = "a" * 40 + "!"  # (a|a)+$ tries 2**40 ways before giving up on it


@pytest.fixture
def evil(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(EVIL, encoding="utf-8")
    return path


def evil_text(lines: int) -> str:
    return "".join(f"Paragraph {i} of the story, with a detail.\n{EVIL_LINE}\n" for i in range(lines)) + "aaa\n"


def test_a_backtracking_rule_times_out_once_per_stream(evil):
    rules = RuleSet.load([evil])
    text = evil_text(600)  # many windows, an evil line in each
    started = time.monotonic()
    pieces = list(clean_stream(io.BytesIO(text.encode()), rules, min_lines=20, timeout=0.05))
    assert time.monotonic() - started < 10  # one timeout per line would take 600 x 0.05-0.1 s
    assert "".join(p.text for p in pieces) == text  # every line kept: the rule is dropped once it timed out
    problems = [p for piece in pieces for p in piece.problems]
    assert len(problems) == 1 and problems[0].rule == "ads.evil"
    assert text.splitlines()[problems[0].line - 1] == EVIL_LINE  # numbered in the whole text


@pytest.mark.parametrize("mode", ["stdin", "file", "folder"])
def test_a_backtracking_user_rule_is_reported_and_the_run_goes_on(run, tmp_path, evil, mode):
    (tmp_path / "in").mkdir()
    hostile = tmp_path / "in" / "a.txt"
    hostile.write_text(f"Body.\n{EVIL_LINE}\nAdvertisement\n{EVIL_LINE}\n")
    (tmp_path / "in" / "b.txt").write_text(ARTICLE)
    report = tmp_path / "report.jsonl"
    args = ["clean", "--rules", evil, "--report", report]
    if mode == "stdin":
        proc = run(*args, input=hostile.read_bytes())
        source, out = "<stdin>", proc.stdout
    elif mode == "file":
        proc = run(*args, hostile)
        source, out = str(hostile), proc.stdout
    else:
        proc = run(*args, "-q", tmp_path / "in", "--output-dir", tmp_path / "out")
        source, out = str(hostile), (tmp_path / "out" / "a.txt").read_bytes()
        assert (tmp_path / "out" / "b.txt").read_text() == ARTICLE_CLEANED  # the run went on
    # A timeout is a warning, not a failure: the line is kept and the output is complete.
    assert proc.returncode == 0, proc.stderr
    assert out == f"Body.\n{EVIL_LINE}\n{EVIL_LINE}\n".encode()
    err = proc.stderr.decode()
    assert f"{source}:2: ads.evil: regex timed out" in err and "line kept" in err
    assert err.count("timed out") == 1 and "Traceback" not in err
    record = json.loads(report.read_text().splitlines()[0])
    assert record["source"] == source
    assert record["problems"] == [{"line": 2, "rule": "ads.evil", "message": "regex timed out after 0.25s; line kept"}]


def test_a_50_mb_line_is_kept_whole_and_fast():
    line = "the council said the plan would cost more " * 1_250_000  # 52 MB, 9 million words
    text = f"Headline\nAdvertisement\n{line}\nAdvertisement\n"
    started = time.monotonic()
    result = clean(text, RuleSet.default())
    assert time.monotonic() - started < 15  # scanned with the rules it would take hours
    assert result.text == f"Headline\n{line}\n"
    assert [r.line for r in result.removals] == [2, 4]


def test_a_long_line_from_stdin_comes_out_byte_for_byte(run):
    data = b"Advertisement\n" + ("Ein langer Absatz \u00fcber den Stadtrat. " * 400_000).encode() + b"\r\nEnd.\n"
    assert len(data) > 100 * MAX_RULE_CHARS
    proc = run("clean", input=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == data[len(b"Advertisement\n") :]


BAD_RULES = {
    "toml": ('[[rule]]\nid = "ads.x"\ndescription = "x\n', ["line 3"]),
    "regex": ('category = "ads"\nlang = "en"\n[[rule]]\nid = "ads.x"\ndescription = "x"\npattern = "(a"\n', ["ads.x"]),
    "unknown-key": (
        'category = "ads"\nlang = "en"\n[[rule]]\nid = "ads.x"\ndescription = "x"\nphrases = ["a"]\ncolour = "red"\n',
        ["ads.x", "colour"],
    ),
    "duplicate-id": (
        'category = "ads"\nlang = "en"\n'
        + '[[rule]]\nid = "ads.x"\ndescription = "x"\nphrases = ["advert"]\nexamples = ["advert"]\n' * 2,
        ["ads.x", "duplicate"],
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_RULES))
def test_a_broken_rule_file_stops_the_run_before_anything_is_written(run, tmp_path, kind):
    text, words = BAD_RULES[kind]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE)
    proc = run("clean", "--rules", path, tmp_path / "a.txt", "--in-place")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b""
    assert err.startswith(f"stripper: {path}") and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err
    assert (tmp_path / "a.txt").read_text() == ARTICLE


def test_a_stream_dense_with_boilerplate_is_cut_at_max_chars():
    """No run of plain lines to cut at: windows are cut by size, and the output is still the input minus
    reported lines, in order (here the same as cleaning the whole text, as the cuts fall on paragraph breaks)."""
    rules = RuleSet.load([SEED_RULES])
    text = "".join(f"Story {i} of the day.\n\n{ARTICLE}" for i in range(400))  # 200 KB, never 10 plain lines in a row
    found = list(windows(io.BytesIO(text.encode()), rules, max_chars=20_000))
    assert len(found) >= 7
    assert all(len(w.text) <= 20_000 + 100 for w in found)
    assert "".join(w.text[: len(w.text) - len(w.overlap)] for w in found) == text
    pieces = list(clean_stream(io.BytesIO(text.encode()), rules, max_chars=20_000))
    whole = clean(text, rules)
    assert "".join(p.text for p in pieces) == whole.text
    assert [r for p in pieces for r in p.removals] == list(whole.removals)
