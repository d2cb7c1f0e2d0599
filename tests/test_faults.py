"""Faults: interrupted or failing --in-place runs never leave a truncated original or a temp file behind."""

import errno
import os
import signal
import subprocess
import time

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED, SEED_RULES, command, environment

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
