"""On demand (STRIPPER_SLOW=1 or -m slow): a 1 GB stream and 100,000 files in flat memory, without running out
of file handles. Each test prints its figures (time, peak memory, open files); bench/README.md records them.

STRIPPER_SLOW_MB sets the stream's size (default 1024) and STRIPPER_SLOW_FILES the number of files (100000).
"""

import hashlib
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED, command, environment

from stripper import RuleSet, clean
from stripper.files import TEMP_SUFFIX

pytestmark = pytest.mark.slow

MB = 1 << 20
STREAM_MB = int(os.environ.get("STRIPPER_SLOW_MB", "1024"))
FILES = int(os.environ.get("STRIPPER_SLOW_FILES", "100000"))
PEAK_LIMIT = 200 * MB  # all processes of the run together
SEED_RULES = Path(__file__).parent / "rules" / "seed.toml"


class Watch:
    """Samples a process and its descendants from /proc: peak total RSS, peak open files, elapsed time."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_fds = self.peak_processes = 0
        self.started = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _tree(self) -> list[int]:
        pids, i = [self.pid], 0
        while i < len(pids):
            try:
                for task in os.listdir(f"/proc/{pids[i]}/task"):
                    with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                        pids += [int(p) for p in f.read().split()]
            except OSError:
                pass
            i += 1
        return pids

    def _run(self) -> None:
        while not self.done.is_set():
            rss = fds = 0
            tree = self._tree()
            for pid in tree:
                try:
                    with open(f"/proc/{pid}/status") as f:
                        rss += next((int(x.split()[1]) * 1024 for x in f if x.startswith("VmRSS:")), 0)
                    fds += len(os.listdir(f"/proc/{pid}/fd"))
                except OSError:
                    pass
            self.peak_rss, self.peak_fds = max(self.peak_rss, rss), max(self.peak_fds, fds)
            self.peak_processes = max(self.peak_processes, len(tree))
            time.sleep(self.every)

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return time.monotonic() - self.started

    def figures(self, what: str, seconds: float, size: int) -> str:
        return (
            f"{what}: {seconds:.1f} s, {size / MB / seconds:.1f} MB/s; peak RSS {self.peak_rss / MB:.0f} MB "
            f"(all {self.peak_processes} processes), peak open files {self.peak_fds}"
        )


def story(i: int) -> str:
    return f"Story {i} of the day.\n\n{ARTICLE}"


def story_cleaned(i: int) -> str:
    return f"Story {i} of the day.\n\n{ARTICLE_CLEANED}"


def test_stories_clean_as_expected():
    """What the stream test expects, checked on a few stories: one blank line between cleaned stories."""
    rules = RuleSet.load([SEED_RULES])
    assert clean("".join(story(i) for i in range(3)), rules).text == "\n".join(story_cleaned(i) for i in range(3))


def test_a_1_gb_stream_in_flat_memory():
    proc = subprocess.Popen(
        command("clean", "-q"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=environment(),
    )  # fmt: skip
    watch = Watch(proc.pid)
    written = [0, 0]  # bytes in, stories

    def feed() -> None:
        i, chunk = 0, []
        while written[0] < STREAM_MB * MB:
            part = story(i).encode()
            chunk.append(part)
            written[0] += len(part)
            i += 1
            if len(chunk) == 200:
                proc.stdin.write(b"".join(chunk))
                chunk = []
        proc.stdin.write(b"".join(chunk))
        proc.stdin.close()
        written[1] = i

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    got, size = hashlib.sha256(), 0
    while block := proc.stdout.read(MB):
        got.update(block)
        size += len(block)
    code = proc.wait()
    seconds = watch.stop()
    feeder.join()
    err = proc.stderr.read()
    print("\n" + watch.figures(f"{written[0] / MB:.0f} MB stdin stream, {written[1]:,} stories", seconds, written[0]))
    assert code == 0, err
    want = hashlib.sha256()
    for i in range(written[1]):
        want.update((b"\n" if i else b"") + story_cleaned(i).encode())
    assert got.hexdigest() == want.hexdigest()
    assert watch.peak_rss < PEAK_LIMIT


def test_100000_files_to_an_output_folder(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    started = time.monotonic()
    for i in range(FILES):
        path = src / f"{i // 1000:03}" / f"{i:06}.txt"
        if i % 1000 == 0:
            path.parent.mkdir(parents=True)
        path.write_text(story(i))
    size = FILES * len(story(FILES // 2).encode())
    print(f"\nwrote {FILES:,} files in {time.monotonic() - started:.1f} s")
    proc = subprocess.Popen(
        command("clean", "-q", str(src), "--output-dir", str(out), "--report", str(tmp_path / "report.jsonl")),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(),
    )  # fmt: skip
    watch = Watch(proc.pid, every=0.2)
    _, err = proc.communicate()
    seconds = watch.stop()
    print(watch.figures(f"{FILES:,} files, --output-dir", seconds, size))
    assert proc.returncode == 0, err
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*.txt"))
    assert names == sorted(str(p.relative_to(src)) for p in src.rglob("*.txt"))
    assert not list(out.rglob(f"*{TEMP_SUFFIX}"))
    for i in range(0, FILES, 997):
        assert (out / f"{i // 1000:03}" / f"{i:06}.txt").read_text() == story_cleaned(i)
    with open(tmp_path / "report.jsonl", "rb") as report:
        assert sum(1 for _ in report) == FILES
    assert watch.peak_rss < PEAK_LIMIT
    assert watch.peak_fds < 200
