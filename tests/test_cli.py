"""`stripper clean` on stdin: the pipe, streaming, --check, --diff, --report, exit codes and errors."""

import base64
import json
import os
import pty
import select
import subprocess
import time

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED, PLAIN, SEED_RULES, command, environment

from stripper import RuleSet, clean
from stripper.files import decode


def one_line_error(proc, *words: str) -> None:
    """Exit 2 with one line on stderr that names what went wrong; no traceback."""
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("stripper: "), err
    for word in words:
        assert word in err


def test_pipe_cleans_stdin_to_stdout(run):
    proc = run("clean", input=ARTICLE)
    assert proc.returncode == 0
    assert proc.stdout.decode() == ARTICLE_CLEANED
    assert proc.stderr == b""
    assert run("clean", "-", input=ARTICLE).stdout.decode() == ARTICLE_CLEANED


def test_pipe_output_equals_the_library_and_keeps_bytes(run):
    data = b"\xef\xbb\xbfCaf\xe9 \xff opens.\r\nAdvertisement\r\nIt serves tea.\r\n" * 300
    expected = clean(decode(data), RuleSet.load([SEED_RULES])).text
    assert run("clean", input=data).stdout == expected.encode("utf-8", "surrogateescape")


def test_first_lines_come_out_before_stdin_ends():
    proc = subprocess.Popen(
        command("clean"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment()
    )
    try:
        paragraphs = b"".join(b"Paragraph %d of a long story about the river.\n" % i for i in range(3000))
        proc.stdin.write(b"Advertisement\n" + paragraphs)
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "no output while stdin is still open"
        first = os.read(proc.stdout.fileno(), 100)
        assert first.startswith(b"Paragraph 0 of a long story")
        assert proc.poll() is None  # still waiting for the rest of stdin
        proc.stdin.write(b"The end.\nAdvertisement\n")
        proc.stdin.close()
        rest = proc.stdout.read()
        assert proc.wait(20) == 0
    finally:
        proc.kill()
    assert first + rest == paragraphs + b"The end.\n"


def test_broken_pipe_exits_quietly(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"".join(b"Paragraph %d of a long article.\nAdvertisement\n" % i for i in range(100_000)))
    article = tmp_path / "article.txt"
    article.write_bytes(b"".join(b"Paragraph %d of a long article.\nAdvertisement\n" % i for i in range(1000)))
    records = tmp_path / "big.jsonl"
    records.write_bytes(b'{"text": "Advertisement\\nBody."}\n' * 50_000)
    for args in (["clean", big], ["clean", "--diff", big], ["clean", "--jsonl", records], ["show", article]):
        proc = subprocess.Popen(
            command(*map(str, args)), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=environment(),
        )  # fmt: skip
        proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        assert proc.wait(30) == 0, args
        assert proc.stderr.read() == b"", args


def test_check_writes_nothing_and_exits_1_when_something_would_go(run):
    proc = run("clean", "--check", input=ARTICLE)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "stripper: would clean <stdin> (4 lines)\nstripper: 1 document of 1 would lose 4 lines\n"
    )
    proc = run("clean", "--check", input=PLAIN)
    assert (proc.returncode, proc.stdout) == (0, b"")
    assert proc.stderr.decode() == "stripper: 1 document checked, nothing to remove\n"
    assert run("clean", "--check", "--quiet", input=ARTICLE).stderr == b""


def test_check_and_diff_combine(run):
    proc = run("clean", "--check", "--diff", input=ARTICLE)
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("--- <stdin>\n+++ <stdin>\n@@ ")
    assert "-Advertisement\n" in proc.stdout.decode()
    assert run("clean", "--diff", input=ARTICLE).returncode == 0
    assert run("clean", "--diff", input=PLAIN).stdout == b""


def test_report_is_one_json_object_per_document(run, tmp_path):
    report = tmp_path / "report.jsonl"
    proc = run("clean", "--report", report, input=ARTICLE)
    assert proc.stdout.decode() == ARTICLE_CLEANED
    (record,) = [json.loads(line) for line in report.read_text().splitlines()]
    assert record == {
        "source": "<stdin>",
        "lines": 12,
        "removed": [
            {"line": 6, "text": "Advertisement", "rule": "ads.marker", "category": "ads"},
            {
                "line": 9,
                "text": "You have read 3 articles this month.",
                "rule": "paywall.counter",
                "category": "paywall",
            },
            {
                "line": 10,
                "text": "Register to receive full access to JNS.",
                "rule": "registration.full-access",
                "category": "registration",
            },
            {"line": 12, "text": "Share this article", "rule": "social.share", "category": "social"},
        ],
        "kept_chars": len(ARTICLE_CLEANED),
        "removed_chars": len("AdvertisementYou have read 3 articles this month.")
        + len("Register to receive full access to JNS.Share this article"),
    }


def test_report_keeps_undecodable_bytes_as_base64(run):
    data = b"Body.\nYou have read 3 articles this month. \xff\xfe\nEnd.\n"
    proc = run("clean", "--check", "--report", "-", input=data)
    record = json.loads(proc.stdout)
    (removal,) = record["removed"]
    assert removal["text"] == "You have read 3 articles this month. \ufffd\ufffd"
    assert base64.b64decode(removal["bytes"]) == b"You have read 3 articles this month. \xff\xfe"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["clean", "/no/such/file.txt"], ["/no/such/file.txt", "no such file"]),
        (["clean", "a", "b"], ["--output-dir", "--in-place"]),
        (["clean", "--backup", ".bak"], ["--backup needs --in-place"]),
        (["clean", "--in-place"], ["stdin"]),
        (["clean", "--report", "-"], ["--report -"]),
        (["clean", "--field", "body"], ["--jsonl"]),
        (["clean", "--check", "--output-dir", "out"], ["--check"]),
        (["clean", "-", "x.txt"], ["'-'"]),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(run, tmp_path, args, words):
    for name in ("a", "b", "x.txt"):
        (tmp_path / name).write_text("x\n")
    proc = run(*args, cwd=tmp_path, input=b"")
    one_line_error(proc, *words)
    assert not (tmp_path / "out").exists()


def test_bad_rule_file_exits_2_naming_the_file(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid = "ads.x"\npattern = "("\n')
    proc = run("clean", "--rules", bad, input=PLAIN)
    one_line_error(proc, str(bad))
    proc = run("clean", "--select", "nosuchcategory", input=PLAIN)
    one_line_error(proc, "nosuchcategory")


def test_typer_usage_errors_exit_2(run):
    proc = run("clean", "--no-such-option", input=PLAIN)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert run("clean", "--jobs", "-1", input=PLAIN).returncode == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable folders")
def test_unreadable_folder_exits_2_naming_it(run, tmp_path):
    (tmp_path / "in" / "locked").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text(ARTICLE)
    (tmp_path / "in" / "locked").chmod(0)
    try:
        proc = run("clean", tmp_path / "in", "--output-dir", tmp_path / "out")
    finally:
        (tmp_path / "in" / "locked").chmod(0o755)
    assert proc.returncode == 2
    assert "locked" in proc.stderr.decode() and b"Traceback" not in proc.stderr
    assert (tmp_path / "out" / "a.txt").read_text() == ARTICLE_CLEANED


def read_until_exit(fd: int, proc) -> bytes:
    out = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(5)
    return out


@pytest.mark.parametrize("no_color", [False, True])
def test_diff_is_coloured_on_a_terminal_unless_no_color(no_color):
    primary, secondary = pty.openpty()
    env = environment(TERM="xterm-256color", NO_COLOR="1" if no_color else "")
    proc = subprocess.Popen(
        command("clean", "--diff", "-"), stdin=subprocess.PIPE, stdout=secondary, stderr=subprocess.PIPE, env=env
    )
    os.close(secondary)
    proc.stdin.write(ARTICLE.encode())
    proc.stdin.close()
    out = read_until_exit(primary, proc)
    os.close(primary)
    assert b"-Advertisement" in out
    assert (b"\x1b[" in out) is not no_color
