"""Throughput of `stripper dask` (a local cluster of N worker processes) against `stripper clean --jsonl --jobs N`.

Builds JSON Lines shards from the dev corpus (extracted/ and page/ texts, repeated until the shards reach
--size-mb), runs both commands on the same shards with the default rules, checks that they wrote the
same cleaned shards, and prints each one's wall-clock time (start-up included) and the throughput its
own closing summary reports (cleaning only). Needs the dask extra; run it with `nice` on a shared machine:

    nice python bench/dask_throughput.py --size-mb 50 --jobs 2
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "dev"
SUMMARY = re.compile(r"([\d.]+) MB in ([\d.]+) s \(")


def build_shards(corpus: Path, folder: Path, size_mb: float, shards: int) -> int:
    """Write `shards` JSON Lines files of about size_mb MB in all, one record per corpus text, round robin."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.glob("*/*.txt"))]
    if not texts:
        sys.exit(f"no corpus texts below {corpus} (pass --corpus)")
    folder.mkdir(parents=True)
    files = [open(folder / f"shard-{i:03d}.jsonl", "w", encoding="utf-8") for i in range(shards)]
    written, n = 0, 0
    try:
        while written < size_mb * 1e6:
            text = texts[n % len(texts)]
            line = json.dumps({"id": f"doc-{n}", "text": text}, ensure_ascii=False) + "\n"
            files[n % shards].write(line)
            written += len(line.encode("utf-8"))
            n += 1
    finally:
        for file in files:
            file.close()
    return n


def timed(args: list[str]) -> tuple[float, str]:
    """Run a stripper command; its wall-clock seconds and the throughput line of its summary."""
    env = dict(os.environ, TTY_COMPATIBLE="1", NO_COLOR="1", COLUMNS="200")  # the summary, as on a terminal
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "stripper", *args], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    match = SUMMARY.search(proc.stderr)
    if not match:
        return seconds, "(no summary)"
    megabytes, cleaning = float(match.group(1)), float(match.group(2))
    return seconds, f"{megabytes:.1f} MB in {cleaning:.1f} s, {megabytes / cleaning:.3f} MB/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50.0, help="total size of the shards")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the local run, and the Dask workers")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--work", type=Path, default=HERE / "out" / "dask")
    options = parser.parse_args()

    shutil.rmtree(options.work, ignore_errors=True)
    shards = options.work / "shards"
    documents = build_shards(options.corpus, shards, options.size_mb, options.shards)
    size = sum(p.stat().st_size for p in shards.iterdir()) / 1e6
    print(f"{documents:,} documents in {options.shards} shards, {size:.1f} MB; {options.jobs} processes each")

    jobs = str(options.jobs)
    local = options.work / "local"
    dask = options.work / "dask"
    runs = {
        f"clean --jsonl --jobs {jobs}": ["clean", "--jsonl", str(shards), "-o", str(local), "--jobs", jobs],
        f"dask --workers {jobs}": ["dask", str(shards), "-o", str(dask), "--workers", jobs],
    }
    for name, args in runs.items():
        seconds, summary = timed(args)
        print(f"{name:28} {seconds:7.1f} s wall, {size / seconds:6.3f} MB/s wall; summary: {summary}")
    same = all(filecmp.cmp(local / p.name, dask / p.name, shallow=False) for p in shards.iterdir())
    print("cleaned shards identical" if same else "cleaned shards DIFFER (a rule timed out in one run?)")


if __name__ == "__main__":
    main()
