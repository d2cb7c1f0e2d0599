"""Speed benchmark: stripper's throughput, start-up and rule-set growth, against cat, grep and two peers.

Builds its own corpus from the dev corpus (replicated to --size MB): one big file, and the same text cut
into about --files files. Every figure is the median of --runs runs of a separate process, timed with
/usr/bin/time (wall seconds, CPU seconds, peak resident memory of the largest process). MB/s are of the
input bytes per wall second; on a shared machine CPU seconds are the steadier figure, so both are shown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIME = "/usr/bin/time"
MB = 1_000_000


def find_shared(rel: str) -> Path:
    """shared/<rel> beside the checkout, or beside any folder above it."""
    for up in ROOT.parents:
        if (up / "shared" / rel).exists():
            return up / "shared" / rel
    return ROOT.parent / "shared" / rel


@dataclass
class Row:
    """One line of the table: what ran, on how many bytes, and its median wall, CPU and peak memory."""

    name: str
    command: str
    bytes: int
    wall: float
    cpu: float
    rss_mb: float
    runs: int

    @property
    def mb_s(self) -> float:
        return self.bytes / MB / self.wall if self.wall else 0.0


# --- building the corpus ----------------------------------------------------------------------------------


def build_corpus(source: Path, out: Path, size_mb: float, files: int) -> tuple[Path, Path, Path]:
    """big.txt (the corpus replicated to size_mb), folder/ (the same lines cut into `files` files), and a
    10 MB (or smaller) slice folder/ for the peers. Reused when already built with the same parameters."""
    big, folder, peers = out / "big.txt", out / "folder", out / "peers"
    stamp = out / "built.json"
    want = {"source": str(source), "size_mb": size_mb, "files": files}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return big, folder, peers
    for path in (folder, peers):
        shutil.rmtree(path, ignore_errors=True)
    docs = [p.read_bytes() for p in sorted(source.glob("*/*.txt")) + sorted(source.glob("*.txt"))]
    docs = [d if d.endswith(b"\n") else d + b"\n" for d in docs if d.strip()]
    if not docs:
        raise SystemExit(f"bench/speed: no .txt files under {source}")
    target = int(size_mb * MB)
    out.mkdir(parents=True, exist_ok=True)
    with open(big, "wb") as handle:
        written = 0
        while written < target:
            for doc in docs:
                handle.write(doc)
                written += len(doc)
                if written >= target:
                    break
    _cut(big, folder, files, target)
    _cut(big, peers, max(1, files * min(target, 10 * MB) // target), min(target, 10 * MB))
    stamp.write_text(json.dumps(want))
    return big, folder, peers


def _cut(big: Path, folder: Path, files: int, limit: int) -> None:
    """The first `limit` bytes of big, cut at line ends into `files` files of about equal size, 100 a folder."""
    per = max(1, limit // files)
    folder.mkdir(parents=True)
    with open(big, "rb") as handle:
        done, n, chunk = 0, 0, []
        size = 0
        for line in handle:
            chunk.append(line)
            size += len(line)
            done += len(line)
            if size >= per or done >= limit:
                sub = folder / f"{n // 100:04d}"
                sub.mkdir(exist_ok=True)
                (sub / f"{n:06d}.txt").write_bytes(b"".join(chunk))
                n, chunk, size = n + 1, [], 0
            if done >= limit:
                break


def extra_rules(out: Path, count: int) -> Path:
    """A rule file of `count` exact-line rules, one line each, as `stripper learn` writes them."""
    path = out / f"learned-{count}.toml"
    if path.exists():
        return path
    parts = ['category = "related"\nlang = "en"\n']
    for i in range(count):
        line = f"Sponsored teaser {i:05d}: see the offers of partner shop number {i * 7919 % 100000}"
        parts.append(
            f'\n[[rule]]\nid = "learned.line-{i:05d}"\ndescription = "Learned line."\n'
            f'lines = ["{line}"]\nexamples = ["{line}"]\n'
        )
    path.write_text("".join(parts), encoding="utf-8")
    return path


def keyword_file(out: Path, env: dict) -> Path:
    """The default rules' keywords, one a line, for grep -F -f."""
    path = out / "keywords.txt"
    code = "from stripper import RuleSet; print('\\n'.join(RuleSet.default().matcher.keywords))"
    path.write_text(
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    )
    return path


# --- timing -------------------------------------------------------------------------------------------------


def timed(argv: list[str], *, stdin: Path | None, env: dict, cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, children included) and peak RSS in MB of one run."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        with open(stdin or os.devnull, "rb") as source:
            proc = subprocess.run(
                [TIME, "-f", "%e %U %S %M", "-o", report.name, *argv],
                stdin=source,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                cwd=cwd,
            )
        if proc.returncode not in (0, 1):  # grep -v exits 1 when it prints nothing
            raise SystemExit(f"bench/speed: {' '.join(argv)} failed:\n{proc.stderr.decode(errors='replace')[-2000:]}")
        wall, user, system, rss = report.read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss) / 1024


def measure(
    name: str, argv: list[str], size: int, runs: int, *, env: dict, cwd: Path, stdin: Path | None = None, before=None
) -> Row:
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        samples.append(timed(argv, stdin=stdin, env=env, cwd=cwd))
        print(f"  {name}: {samples[-1][0]:.2f}s wall", file=sys.stderr)
    wall, cpu, rss = (statistics.median(s[i] for s in samples) for i in range(3))
    shown = " ".join(argv) + (f" < {stdin.name}" if stdin else "")
    return Row(name, shown, size, wall, cpu, rss, runs)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.txt"))


# --- the report ---------------------------------------------------------------------------------------------


def render(rows: list[Row], info: dict) -> str:
    base = {r.name: r for r in rows}
    big = base.get("stripper clean < big file")
    lines = [
        f"stripper speed benchmark, {info['date']} on {info['machine']}",
        f"corpus: {info['corpus']}",
        "",
        "| what | input | wall s | MB/s | CPU s | CPU MB/s | peak MB | vs stripper |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cpu_rate = r.bytes / MB / r.cpu if r.cpu and r.bytes else 0.0
        workers = "--jobs 2" in r.name  # forkserver workers are not the main process's children: not counted
        ratio = ""
        if (
            big is not None
            and r.bytes
            and r.wall
            and r is not big
            and r.name.startswith(("cat", "grep", "jusText", "C4"))
        ):
            ratio = f"{r.mb_s / big.mb_s:.1f}x" if big.mb_s else ""
        size = f"{r.bytes / MB:.0f} MB" if r.bytes else "1 article"
        rate = (f"{r.mb_s:.1f}" if r.wall else "> 1000") if r.bytes else ""  # /usr/bin/time counts 10 ms steps
        cpu_shown = f"{cpu_rate:.1f}" if r.bytes and r.cpu and not workers else ""
        cpu_s = "(main) " if workers else ""
        cells = [r.name, size, f"{r.wall:.3f}", rate, f"{cpu_s}{r.cpu:.2f}", cpu_shown, f"{r.rss_mb:.0f}", ratio]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "MB/s: input MB per wall second; CPU MB/s: per CPU second (user + system), steadier on a shared machine.",
        "Peak MB: the largest single process. With --jobs 2 the workers (forkserver children) are not counted",
        "in CPU s or peak MB, only the main process. 'vs stripper': MB/s against the --jobs 1 big-file run.",
        "",
        "Targets:",
    ]
    lines += [f"- {t}" for t in targets(base)]
    return "\n".join(lines)


def targets(base: dict[str, Row]) -> list[str]:
    out = []

    def get(name: str) -> Row | None:
        return base.get(name)

    big = get("stripper clean < big file")
    if big:
        out.append(
            f"≥ 50 MB/s single process on the big file: {big.mb_s:.1f} MB/s wall, "
            f"{big.bytes / MB / big.cpu:.1f} MB/s CPU → {'met' if big.mb_s >= 50 else 'missed'}"
        )
    j1, j2 = get("stripper folder --jobs 1"), get("stripper folder --jobs 2")
    if j1 and j2:
        speedup = j1.wall / j2.wall
        out.append(f"--jobs 2 ≥ 1.7× --jobs 1: {speedup:.2f}× → {'met' if speedup >= 1.7 else 'missed'}")
    one, imports = get("stripper clean < one article"), get('python -c "import typer, rich, regex"')
    if one:
        extra = f" (bare imports {imports.wall * 1000:.0f} ms)" if imports else ""
        out.append(
            f"one article ≤ 150 ms wall: {one.wall * 1000:.0f} ms{extra} → {'met' if one.wall <= 0.15 else 'missed'}"
        )
    d, k10 = get("rules: default"), get("rules: +10,000 exact lines")
    if d and k10:
        ratio = k10.wall / d.wall
        out.append(f"+10,000 exact-line rules < 1.5× default time: {ratio:.2f}× → {'met' if ratio < 1.5 else 'missed'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/speed", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=None, help="corpus size in MB (default 100)")
    parser.add_argument("--files", type=int, default=None, help="files in the folder corpus (default 20000)")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement, median reported (default 3)")
    parser.add_argument("--quick", action="store_true", help="a small try: --size 10 --files 2000 --runs 1")
    parser.add_argument("--corpus", type=Path, default=None, help="source texts (default ../shared/corpus/dev)")
    parser.add_argument("--work", type=Path, default=HERE / "out" / "speed", help="where the corpus is built")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    parser.add_argument("--skip", default="", help="comma-separated: peers,growth,folder,startup,references")
    args = parser.parse_args(argv)
    quick = args.quick
    args.size = args.size or (10 if quick else 100)
    args.files = args.files or (2000 if quick else 20_000)
    args.runs = args.runs or (1 if quick else 3)
    if not Path(TIME).exists():
        raise SystemExit(f"bench/speed: needs GNU time at {TIME} (apt-get install time)")
    skip = set(filter(None, args.skip.split(",")))
    source = args.corpus or find_shared("corpus/dev")
    work = args.work / f"{args.size:g}MB-{args.files}"
    print(f"bench/speed: building the corpus in {work}", file=sys.stderr)
    big, folder, peers = build_corpus(source, work, args.size, args.files)
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env['PYTHONPATH']}" if env.get("PYTHONPATH") else str(ROOT)
    env.setdefault("STRIPPER_CACHE_DIR", str(work / "cache"))
    stripper = [sys.executable, "-m", "stripper"]
    size = big.stat().st_size
    runs = args.runs
    rows: list[Row] = []

    def add(*a, **k) -> Row:
        row = measure(*a, env=env, cwd=work, **k)
        rows.append(row)
        return row

    subprocess.run([*stripper, "rules", "list"], env=env, stdout=subprocess.DEVNULL, check=False)  # warm the cache
    if "references" not in skip:
        keywords = keyword_file(work, env)
        add("cat", ["cat", str(big)], size, runs)
        add("grep -v -i -F -f keywords", ["grep", "-v", "-i", "-F", "-f", str(keywords), str(big)], size, runs)
    add("stripper clean < big file", [*stripper, "clean", "--jobs", "1"], size, runs, stdin=big)
    add("stripper clean < big file, --jobs 2", [*stripper, "clean", "--jobs", "2"], size, runs, stdin=big)
    if "folder" not in skip:
        fsize = folder_bytes(folder)
        target = work / "cleaned"
        for jobs in (1, 2):
            add(
                f"stripper folder --jobs {jobs}",
                [*stripper, "clean", str(folder), "--output-dir", str(target), "--jobs", str(jobs)],
                fsize,
                runs,
                before=lambda: shutil.rmtree(target, ignore_errors=True),
            )
    if "peers" not in skip:
        psize = folder_bytes(peers)
        for peer in ("jusText", "C4"):
            add(
                f"{peer} (10 MB slice)",
                [sys.executable, str(HERE / "speed.py"), "--peer", peer, str(peers)],
                psize,
                runs,
            )
    if "startup" not in skip:
        article = find_shared("examples/jns-ukraine.txt")
        add("stripper clean < one article", [*stripper, "clean"], 0, max(runs, 5), stdin=article)
        add(
            'python -c "import typer, rich, regex"',
            [sys.executable, "-c", "import typer, rich, regex"],
            0,
            max(runs, 5),
        )
    if "growth" not in skip:
        slice_ = peers
        gsize = folder_bytes(slice_)
        text = work / "slice.txt"
        if not text.exists():
            with open(text, "wb") as handle:
                for path in sorted(slice_.rglob("*.txt")):
                    handle.write(path.read_bytes())
        add("rules: default", [*stripper, "clean", "--jobs", "1"], gsize, runs, stdin=text)
        for count in (1_000, 10_000):
            extra = extra_rules(work, count)
            subprocess.run([*stripper, "rules", "list", "--rules", str(extra)], env=env, stdout=subprocess.DEVNULL)
            add(
                f"rules: +{count:,} exact lines",
                [*stripper, "clean", "--jobs", "1", "--rules", str(extra)],
                gsize,
                runs,
                stdin=text,
            )
    info = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}",
        "corpus": f"{size / MB:.0f} MB replicated from {source} ({len(list(folder.rglob('*.txt')))} files "
        f"in the folder), median of {runs} runs",
    }
    print(render(rows, info))
    if args.json:
        args.json.write_text(json.dumps({"info": info, "rows": [asdict(r) for r in rows]}, indent=2))
    return 0


# --- the peers, run as their own process so that their time and memory are measured alone -------------------


def peer(name: str, folder: Path) -> None:
    """Run jusText or datatrove's C4 line filter over every file of the folder, as bench/quality runs them."""
    sys.path.insert(0, str(HERE))
    import quality

    for path in sorted(folder.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = quality.split_lines(text)
        if name == "jusText":
            quality.run_justext(lines, quality.guess_lang(text))
        else:
            quality.run_c4(lines)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--peer":
        peer(sys.argv[2], Path(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
