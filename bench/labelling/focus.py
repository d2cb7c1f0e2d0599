"""Category-focused candidate proposal: lines matching one category's keywords, with 1 line of context.

Usage: python focus.py CATEGORY [--lang xx,yy] [--source page|extracted] [--start N] [--docs N] [--per-doc N]
"""

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from kw import CAT
from propose import CORPUS, norm, order

ap = argparse.ArgumentParser()
ap.add_argument("cat")
ap.add_argument("--lang")
ap.add_argument("--source", default="page")
ap.add_argument("--start", type=int, default=0)
ap.add_argument("--docs", type=int, default=40)
ap.add_argument("--per-doc", type=int, default=5)
ap.add_argument("--max-words", type=int, default=30)
ap.add_argument("--pattern")
ap.add_argument("--min-words", type=int, default=0)
ap.add_argument("--width", type=int, default=120)
ap.add_argument("--no-context", action="store_true")
a = ap.parse_args()
rx = re.compile(a.pattern, re.I) if a.pattern else CAT[a.cat]
langs = set(a.lang.split(",")) if a.lang else None
shown = 0
for n, rec in enumerate(order()):
    if n < a.start or shown >= a.docs:
        continue
    if langs and (rec["lang"] or "none") not in langs:
        continue
    lines = (CORPUS / a.source / f"{rec['id']}.txt").read_text(encoding="utf-8").splitlines()
    ext = {norm(x) for x in (CORPUS / "extracted" / f"{rec['id']}.txt").read_text(encoding="utf-8").splitlines()}
    seen, hits = set(), []
    for i, s in enumerate(lines):
        if s.strip() and a.min_words <= len(s.split()) <= a.max_words and rx.search(s) and norm(s) not in seen:
            seen.add(norm(s))
            hits.append(i)
    if not hits:
        continue
    shown += 1
    print(f"=== d{n} {rec['lang']} {rec['url'][:80]}")
    for i in hits[: a.per_doc]:
        for j in (i,) if a.no_context else (i - 1, i, i + 1):
            if 0 <= j < len(lines) and lines[j].strip():
                flag = ("*" if j == i else " ") + ("E" if norm(lines[j]) in ext else " ")
                print(f"{'x' if a.source == 'extracted' else ''}{n}:{j + 1}{flag} {lines[j].strip()[: a.width]}")
        if not a.no_context:
            print("   ..")
