"""Faults: interrupted or failing --in-place runs never leave a truncated original or a temp file behind."""

import errno
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED, RULES, SEED_RULES, command, environment

from stripper import RuleSet, clean
from stripper.batch import IN_PLACE, Cleaner, Plan
from stripper.files import TEMP_SUFFIX, Input

SEED = RuleSet.load([SEED_RULES])
BIG = ARTICLE * 400  # ~200 KB a file, so that a run lasts long enough to be interrupted


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupted_in_place_leaves_every_file_whole(tmp_path, sig, jobs):
    root = tmp_path / "in"
    root.mkdir()
    for i in range(150):
        (root / f"{i:04}.txt").write_text(BIG)
    cleaned = clean(BIG, SEED).text
    proc = subprocess.Popen(
        command("clean", "-q", "--in-place", "--jobs", jobs, str(root)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until the run is under way
        if any(p.stat().st_size < len(BIG) for p in root.glob("*.txt")):
            break
        time.sleep(0.005)
    proc.send_signal(sig)
    code = proc.wait(30)
    texts = [p.read_text() for p in sorted(root.glob("*.txt"))]
    assert len(texts) == 150
    assert all(t in (BIG, cleaned) for t in texts)  # each file is the original or the cleaned one, never a part
    assert code == 130 or all(t == cleaned for t in texts)  # interrupted, or it had finished
    assert [p.name for p in root.iterdir() if p.name.endswith(TEMP_SUFFIX)] == []
    assert b"Traceback" not in proc.stderr.read()


def test_a_full_disk_keeps_the_original_and_the_run_goes_on(tmp_path, monkeypatch):
    root = tmp_path / "in"
    root.mkdir()
    for name in ("a.txt", "b.txt"):
        (root / name).write_text(ARTICLE)
    real = os.fdopen

    class Full:  # a file on a full disk: writing fails
        def __init__(self, file):
            self.file = file

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.file.close()

    def fdopen(fd, *args, **kwargs):
        file = real(fd, *args, **kwargs)
        return Full(file) if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".a.txt.") else file

    monkeypatch.setattr("stripper.files.os.fdopen", fdopen)
    cleaner = Cleaner(SEED, Plan(write=IN_PLACE))
    first, second = (cleaner.file(Input(root / name, root / name)) for name in ("a.txt", "b.txt"))
    assert first.error and "No space left on device" in first.messages[0]
    assert not second.error
    assert (root / "a.txt").read_text() == ARTICLE  # untouched
    assert (root / "b.txt").read_text() == ARTICLE_CLEANED  # the run went on
    assert sorted(p.name for p in root.iterdir()) == ["a.txt", "b.txt"]  # no temp file left


def unreadable_folder(root):
    """A folder of good files among a dangling link, a named pipe and a folder named like a text file."""
    root.mkdir()
    for name in ("a.txt", "c.txt", "e.txt"):
        (root / name).write_text(ARTICLE)
    (root / "b.txt").symlink_to(root / "gone.txt")
    os.mkfifo(root / "d.txt")  # reading it would wait forever for a writer
    (root / "dir.txt").mkdir()
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_unreadable_files_are_reported_and_the_rest_cleaned(run, tmp_path, jobs):
    root = unreadable_folder(tmp_path / "in")
    proc = run("clean", "-q", "--jobs", jobs, root, "--output-dir", tmp_path / "out", timeout=20)
    assert proc.returncode == 2  # something could not be done
    assert sorted(proc.stderr.decode().splitlines()) == [
        f"stripper: {root / 'b.txt'}: No such file or directory",
        f"stripper: {root / 'd.txt'}: not a regular file (a named pipe); skipped",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "c.txt", "e.txt"]
    assert all(p.read_text() == ARTICLE_CLEANED for p in (tmp_path / "out").iterdir())


def test_a_file_that_cannot_be_read_is_reported_in_place(tmp_path, monkeypatch):
    """Permission denied, as a non-root user meets it (root reads anything, so the failure is simulated)."""
    from typer.testing import CliRunner

    from stripper.cli import app

    root = tmp_path / "in"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(ARTICLE)
    real = Path.read_bytes

    def read_bytes(path):
        if path.name == "b.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = CliRunner().invoke(app, ["clean", *RULES, "-q", "--jobs", "1", "--in-place", str(root)])
    assert result.exit_code == 2
    assert f"{root / 'b.txt'}: Permission denied" in result.stderr
    assert [(root / n).read_text() for n in ("a.txt", "b.txt", "c.txt")] == [ARTICLE_CLEANED, ARTICLE, ARTICLE_CLEANED]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_mode_000_file_is_reported_and_the_rest_cleaned(run, tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    for name in ("a.txt", "b.txt"):
        (root / name).write_text(ARTICLE)
    (root / "a.txt").chmod(0)
    proc = run("clean", "-q", root, "--output-dir", tmp_path / "out")
    assert proc.returncode == 2 and "a.txt: Permission denied" in proc.stderr.decode()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["b.txt"]


def descendants(pid: int) -> list[int]:
    found, i = [pid], 0
    while i < len(found):
        for task in os.listdir(f"/proc/{found[i]}/task") if os.path.exists(f"/proc/{found[i]}") else ():
            with open(f"/proc/{found[i]}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
        i += 1
    return found[1:]


def test_workers_end_when_the_main_process_is_killed(tmp_path):
    """SIGKILL (a scheduler's timeout, the OOM killer) leaves no worker behind waiting forever."""
    root = tmp_path / "in"
    root.mkdir()
    for i in range(200):
        (root / f"{i:04}.txt").write_text(BIG)
    proc = subprocess.Popen(
        command("clean", "-q", "--jobs", "2", str(root), "--output-dir", str(tmp_path / "out")),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment(),
    )  # fmt: skip
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline:  # the fork server and its workers
        workers = descendants(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
    assert all(p.read_text() == BIG for p in root.iterdir())


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
