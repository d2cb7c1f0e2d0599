"""Print candidate windows of a page rendering for a human labeller to read.

Usage: python propose.py DOCNUM... (DOCNUM = index in the deterministic reading order, see order())
Each shown line: '<docnum>:<lineno>' then a flag ('*' keyword candidate, 'E' line also in extracted/)
and the stripped text. The labeller writes decisions into decisions.txt; nothing here labels.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from kw import ANY

CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/dev"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpus/dev")
norm = lambda s: re.sub(r"\s+", " ", s).strip().casefold()  # noqa: E731


def records():
    return [json.loads(line) for line in open(CORPUS / "labels.jsonl", encoding="utf-8")]


def order():
    """Deterministic reading order: docs sorted by sha1 of their id."""
    return sorted(records(), key=lambda r: hashlib.sha1(r["id"].encode()).hexdigest())


def windows(rec, source="page", ctx=1, max_words=25, limit=45):
    lines = (CORPUS / source / f"{rec['id']}.txt").read_text(encoding="utf-8").splitlines()
    ext = {norm(x) for x in (CORPUS / "extracted" / f"{rec['id']}.txt").read_text(encoding="utf-8").splitlines()}
    seen = {}
    cand = []
    for i, s in enumerate(lines):
        n = len(s.split())
        if not s.strip() or n > max_words or not ANY.search(s):
            continue
        if norm(s) in ext and n > 15:
            continue
        seen[norm(s)] = seen.get(norm(s), 0) + 1
        if seen[norm(s)] <= 2:
            cand.append(i)
    show = set()
    for i in cand:
        show.update(
            j
            for j in range(max(0, i - ctx), min(len(lines), i + ctx + 1))
            if j == i or len(lines[j].split()) <= max_words
        )
    return lines, set(cand), sorted(show)[:limit], ext


def main(argv):
    recs = order()
    src = "page"
    nums = []
    for a in argv:
        if a in ("page", "extracted"):
            src = a
        elif "-" in a:
            lo, hi = a.split("-")
            nums += range(int(lo), int(hi) + 1)
        else:
            nums.append(int(a))
    for n in nums:
        rec = recs[n]
        lines, cand, show, ext = windows(rec, src)
        print(f"=== d{n} {rec['lang']} {rec['url'][:90]} ({len(lines)} lines)")
        prev = None
        for i in show:
            s = lines[i].strip()
            if not s:
                continue
            if prev is not None and i > prev + 1:
                print("   ...")
            flag = ("*" if i in cand else " ") + ("E" if norm(s) in ext else " ")
            print(f"{n}:{i + 1}{flag} {s[:110]}")
            prev = i


if __name__ == "__main__":
    main(sys.argv[1:])
