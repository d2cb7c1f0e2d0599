"""Benchmark of `stripper learn`: generate a corpus of N documents (JSON Lines shards), learn, report time and memory.

Each document is a page of one of S sites: the site's template lines (some on every page, some on a share of
its pages) around article sentences drawn from the dev corpus. Run as `bench/learn` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# (template, share of a site's pages that carry it); shares under the default --min-share 0.2 must not be learned.
TEMPLATES = [
    ("Get the best stories faster with {site} breaking news updates", 1.0),
    ("{Site} is combating the stream of misinformation with facts.", 0.9),
    ("Copyright {year} {Site} Media. All rights reserved.", 1.0),
    ("Follow {Site} on Mastodon and Bluesky", 0.6),
    ("Support {Site}: become a member for {price} a month", 0.35),
    ("Tips? Write to tips@{site}.example", 0.25),
    ("This week's {Site} quiz is open until Friday", 0.1),  # below --min-share 0.2: must not be learned
]


def find_corpus() -> Path | None:
    for base in [ROOT, *ROOT.parents]:
        candidate = base / "shared" / "corpus" / "dev" / "extracted"
        if candidate.is_dir():
            return candidate
    return None


def sentences(folder: Path | None) -> list[str]:
    """Article sentences: the dev corpus's lines of 8 to 60 words (or made-up ones without it)."""
    pool: set[str] = set()
    if folder is not None:
        for path in sorted(folder.glob("*.txt")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if 8 <= len(line.split()) <= 60:
                    pool.add(line.strip())
    if not pool:
        rng = random.Random(1)
        words = "the council river budget school harbour election museum bridge said on a new plan".split()
        pool = {" ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) + "." for _ in range(50_000)}
    return sorted(pool)


def site_lines(index: int, rng: random.Random) -> list[tuple[str, float]]:
    site = f"site{index:03d}"
    values = {"site": site, "Site": site.title(), "year": 2020 + index % 6, "price": f"${3 + index % 7}"}
    chosen = [t for t in TEMPLATES if rng.random() < 0.85 or t[1] == 1.0]
    return [(template.format(**values), share) for template, share in chosen]


def generate(out: Path, docs: int, sites: int, shards: int, seed: int, body: tuple[int, int] = (8, 30)) -> dict:
    """Write the shards; return the truth: every template line with the share of pages it was put on."""
    rng = random.Random(seed)
    pool = sentences(find_corpus())
    templates = [site_lines(i, rng) for i in range(sites)]
    out.mkdir(parents=True, exist_ok=True)
    handles = [open(out / f"part-{k:03d}.jsonl", "w", encoding="utf-8") for k in range(shards)]
    placed: dict[tuple[str, str], int] = {}
    pages = [0] * sites
    try:
        for n in range(docs):
            s = rng.randrange(sites)
            pages[s] += 1
            lines = [f"Story {n}: {rng.choice(pool)}"]
            sample = rng.sample(pool, rng.randint(*body))
            top, bottom = [], []
            for i, (line, share) in enumerate(templates[s]):
                if rng.random() < share:
                    (top if i % 2 == 0 else bottom).append(line)
                    placed[(f"site{s:03d}.example", line)] = placed.get((f"site{s:03d}.example", line), 0) + 1
            text = "\n".join([*top, "", *lines, *sample, "", *bottom]) + "\n"
            record = {"url": f"https://www.site{s:03d}.example/news/{n}", "text": text}
            handles[n % shards].write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        for handle in handles:
            handle.close()
    group_docs = {f"site{s:03d}.example": pages[s] for s in range(sites)}
    truth = [
        {"group": g, "line": line, "docs": count, "share": count / group_docs[g]} for (g, line), count in placed.items()
    ]
    (out / "truth.json").write_text(json.dumps({"docs": docs, "sites": sites, "truth": truth}, indent=0))
    return {"docs": docs, "truth": truth}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--shards", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--article-lines", default="8-30", help="how many article sentences a document has, MIN-MAX (default 8-30)"
    )
    parser.add_argument("--max-memory", default="256", help="passed to stripper learn (MB)")
    parser.add_argument("--work", type=Path, default=HERE / "out" / "learn", help="where the corpus is generated")
    parser.add_argument("--regenerate", action="store_true", help="generate the corpus even if it is there")
    args = parser.parse_args()

    low, high = (int(n) for n in args.article_lines.split("-"))
    size_tag = "" if (low, high) == (8, 30) else f"-{low}-{high}"
    corpus = args.work / f"corpus-{args.docs}-{args.sites}-{args.shards}-{args.seed}{size_tag}"
    if args.regenerate or not (corpus / "truth.json").exists():
        started = time.perf_counter()
        print(f"bench/learn: generating {args.docs:,} documents in {corpus}", file=sys.stderr)
        generate(corpus, args.docs, args.sites, args.shards, args.seed, (low, high))
        print(f"bench/learn: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    truth = json.loads((corpus / "truth.json").read_text())
    rules = args.work / "learned.toml"
    size = sum(p.stat().st_size for p in corpus.glob("*.jsonl"))
    command = [
        sys.executable, "-m", "stripper", "learn", str(corpus), "--group-by", "url",
        "--max-memory", args.max_memory, "--out", str(rules), "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print("bench/learn: " + " ".join(command[1:]), file=sys.stderr)
    started = time.perf_counter()
    done = subprocess.run(command, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(f"bench/learn: stripper learn exited {done.returncode}", file=sys.stderr)
        return 1
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime  # unlike wall time, not inflated by other processes on the machine

    sys.path.insert(0, str(ROOT))
    from stripper.rules import load_file

    learned = {(r.id.split(".")[1], r.lines[0]) for r in load_file(rules)}
    slug = lambda g: g.replace(".", "-")  # noqa: E731
    expected = {(slug(t["group"]), t["line"]) for t in truth["truth"] if t["share"] >= 0.2 and t["docs"] >= 5}
    placed = {(slug(t["group"]), t["line"]) for t in truth["truth"]}
    wrong = learned - placed  # not a template line at all: an article sentence
    below = {x for x in learned & placed if x not in expected}
    result = {
        "documents": truth["docs"],
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "documents_per_second": round(truth["docs"] / seconds),
        "cpu_seconds": round(cpu, 1),
        "documents_per_cpu_second": round(truth["docs"] / cpu),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_rss_mb": round(peak_mb),
        "rules": len(learned),
        "template_lines_over_thresholds": len(expected),
        "learned_of_those": len(learned & expected),
        "article_lines_learned": len(wrong),
        "template_lines_below_thresholds_learned": len(below),
    }
    (args.work / "learn.json").write_text(json.dumps(result, indent=2) + "\n")
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value:,}" if isinstance(value, int) else f"{key:<{width}}  {value}")
    return 0 if not wrong and not below else 1


if __name__ == "__main__":
    sys.exit(main())
