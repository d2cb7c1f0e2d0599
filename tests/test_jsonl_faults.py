"""JSON Lines that are not what they should be: every such line is reported with its file and line number,
and (by default) copied through, so that nothing is silently dropped."""

import json

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED

BAD = {
    "number": (b'{"text": 5}', "'text' is a number, not a string"),
    "null": (b'{"text": null}', "'text' is null, not a string"),
    "list": (b'{"text": ["Advertisement"]}', "'text' is a list, not a string"),
    "object": (b'{"text": {"body": "Advertisement"}}', "'text' is an object, not a string"),
    "missing": (b'{"body": "Advertisement"}', "no 'text' field"),
    "array": (b'["Advertisement"]', "not a JSON object but a list"),
    "truncated": (b'{"text": "Advertisement', "not valid JSON (Unterminated string"),
    "deep": (b"[" * 100_000, "not valid JSON (nested too deeply)"),
}
GOOD = json.dumps({"text": ARTICLE}).encode()


def good(i: int) -> bytes:
    return json.dumps({"id": i, "text": f"Story {i}.\nAdvertisement\n"}).encode()


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_line_is_reported_with_its_number_and_copied(run, tmp_path, kind):
    line, message = BAD[kind]
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n".join([GOOD, line, GOOD]) + b"\n")
    proc = run("clean", "--jsonl", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().startswith(f"stripper: {path}:2: {message}")
    assert "Traceback" not in proc.stderr.decode()
    out = proc.stdout.split(b"\n")
    assert len(out) == 4 and out[1] == line  # copied byte for byte, in its place
    assert json.loads(out[0])["text"] == json.loads(out[2])["text"] == ARTICLE_CLEANED


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_lines_across_batches_keep_their_numbers(run, tmp_path, jobs):
    lines = [good(i) for i in range(700)]
    for number, kind in ((1, "null"), (257, "missing"), (513, "deep"), (700, "truncated")):
        lines[number - 1] = BAD[kind][0]
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = tmp_path / "report.jsonl"
    proc = run("clean", "--jsonl", "--jobs", jobs, "--on-bad-json", "skip", "--report", report, path)
    assert proc.returncode == 0, proc.stderr
    numbers = [int(line.split(":")[2]) for line in proc.stderr.decode().splitlines()]
    assert numbers == [1, 257, 513, 700]
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in out] == [i for i in range(700) if i + 1 not in (1, 257, 513, 700)]
    assert all(r["text"] == f"Story {r['id']}.\n" for r in out)
    assert len(report.read_text().splitlines()) == 696


def test_error_mode_stops_at_the_first_bad_line(run, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n".join([good(0), BAD["number"][0], good(2)]) + b"\n")
    proc = run("clean", "--jsonl", "--on-bad-json", "error", path)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines()[0] == f"stripper: {path}:2: 'text' is a number, not a string"
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == [0]


def test_a_huge_record_is_cleaned_and_the_lines_after_it_keep_their_numbers(run, tmp_path):
    body = "A long paragraph of the story, told at length. " * 200_000  # ~10 MB, one line of the field
    huge = json.dumps({"id": "huge", "text": f"Headline\nAdvertisement\n{body}\nShare this article\n"})
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n".join([good(0), huge.encode(), BAD["missing"][0], good(3)]) + b"\n")
    proc = run("clean", "--jsonl", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode() == f"stripper: {path}:3: no 'text' field\n"
    _, record, bad, last = proc.stdout.split(b"\n")[:4]
    record = json.loads(record)
    assert record["text"] == f"Headline\n{body}\n"
    assert [r["line"] for r in record["stripper"]["removed"]] == [2, 4]
    assert bad == BAD["missing"][0] and json.loads(last)["id"] == 3


def test_undecodable_bytes_in_a_record_come_back_as_they_were(run, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b'{"text": "Caf\xe9 opens \xff today.\\nAdvertisement\\n", "n": 1}\n')
    proc = run("clean", "--jsonl", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b'{"text":"Caf\xe9 opens \xff today.\\n","n":1,"stripper":')


def test_a_byte_order_mark_on_the_first_line_is_kept(run, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good(0) + b"\n" + good(1) + b"\n")
    proc = run("clean", "--jsonl", path)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    first, second = proc.stdout.splitlines()
    assert first.startswith(b'\xef\xbb\xbf{"id":0,"text":"Story 0.\\n"')
    assert json.loads(second)["text"] == "Story 1.\n"
