"""Propose content lines: extracted/ lines that contain a human-marked 'with' snippet (labels.jsonl).

Prints 'x<docnum>:<line>' refs; with --review, prints the short or keyword-bearing ones with text for reading.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from kw import ANY
from propose import CORPUS, norm, order

review = "--review" in sys.argv
sample = "--sample" in sys.argv
for n, rec in enumerate(order()):
    lines = (CORPUS / "extracted" / f"{rec['id']}.txt").read_text(encoding="utf-8").splitlines()
    snippets = [norm(w) for w in rec["with"] if norm(w)]
    for i, line in enumerate(lines):
        s = norm(line)
        if not s or not any(w in s for w in snippets):
            continue
        suspicious = len(line.split()) <= 8 or bool(ANY.search(line))
        if review and suspicious:
            print(f"x{n}:{i + 1} {line.strip()[:150]}")
        elif sample and not suspicious and hash(line) % 25 == 0:
            print(f"x{n}:{i + 1} {line.strip()[:150]}")
        elif not review and not sample:
            print(f"x{n}:{i + 1}")
