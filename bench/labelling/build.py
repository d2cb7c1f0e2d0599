"""Build bench/data/labelled.jsonl from the labeller's decision files.

decisions.txt / content.txt lines: '<docnum>:<line>[-<line>] <code>' (page/ rendering) or
'x<docnum>:<line>... <code>' (extracted/ rendering). docnum = reading order of propose.order().
Run with a Python that has justext (used only to guess the language of pages without a lang attribute).
"""

import hashlib
import json
import re
import sys
import urllib.parse
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from propose import CORPUS, norm, order  # noqa: E402

CODES = {
    "pw": "paywall",
    "reg": "registration",
    "don": "donation",
    "nl": "newsletter",
    "soc": "social",
    "ads": "ads",
    "ck": "cookies",
    "rel": "related",
    "com": "comments",
    "cr": "credits",
    "oth": "other",
    "con": "content",
}
MAX_PER_DOC_CATEGORY = 10  # one page's share bar or comment form must not dominate a category
MAX_SAME_TEXT = 3  # the same boilerplate line (after normalisation) at most 3 times in the set
LANGS = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "fi": "Finnish",
    "hu": "Hungarian",
    "no": "Norwegian_Bokmal",
}


def site(url):
    """Site key used for the split: host without www.; for web.archive.org the archived host."""
    m = re.match(r"https?://web\.archive\.org/web/[^/]+/(.*)", url)
    if m:
        url = m.group(1) if "://" in m.group(1) else "http://" + m.group(1)
    host = (urllib.parse.urlsplit(url).hostname or "").removeprefix("www.")
    return host or url


def half(site_key):
    return "tune" if int(hashlib.sha1(site_key.encode()).hexdigest(), 16) % 2 == 0 else "test"


def guess_lang(text):
    import justext

    words = re.findall(r"\w+", text.casefold())
    best, score = None, 0.0
    for code, name in LANGS.items():
        stop = justext.get_stoplist(name)
        s = sum(w in stop for w in words) / max(1, len(words))
        if s > score:
            best, score = code, s
    return best


def parse(path):
    for raw in path.read_text(encoding="utf-8").splitlines():
        raw = raw.split("#")[0].strip()
        if not raw:
            continue
        ref, code = raw.split()
        source = "extracted" if ref.startswith("x") else "page"
        doc, span = ref.lstrip("x").split(":")
        lo, _, hi = span.partition("-")
        for n in range(int(lo), int(hi or lo) + 1):
            yield int(doc), source, n, CODES[code]


def main():
    recs = order()
    rows, seen_pos = [], set()
    per_doc_cat, same_text = Counter(), Counter()
    texts = {}
    for fname in ("decisions.txt", "content.txt"):
        path = HERE / fname
        if not path.exists():
            continue
        for doc, source, n, label in parse(path):
            rec = recs[doc]
            key = (rec["id"], source)
            if key not in texts:
                texts[key] = (CORPUS / source / f"{rec['id']}.txt").read_text(encoding="utf-8").splitlines()
            line = texts[key][n - 1].strip()
            if not line or (rec["id"], source, n) in seen_pos:
                continue
            if label not in ("content", "other"):
                if per_doc_cat[rec["id"], label] >= MAX_PER_DOC_CATEGORY or same_text[norm(line)] >= MAX_SAME_TEXT:
                    continue
                per_doc_cat[rec["id"], label] += 1
                same_text[norm(line)] += 1
            seen_pos.add((rec["id"], source, n))
            lang, guessed = rec["lang"], False
            if not lang:
                lang, guessed = (
                    guess_lang((CORPUS / "extracted" / f"{rec['id']}.txt").read_text(encoding="utf-8")),
                    True,
                )
            s = site(rec["url"])
            row = {
                "doc": rec["id"],
                "lang": lang,
                "source": source,
                "line": n,
                "text": line,
                "label": label,
                "half": half(s),
                "site": s,
            }
            if guessed:
                row["lang_guessed"] = True
            rows.append(row)
    rows.sort(key=lambda r: (r["doc"], r["source"], r["line"]))
    out = HERE.parent / "data" / "labelled.jsonl"
    out.parent.mkdir(exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    c = Counter((r["label"]) for r in rows)
    print(f"{len(rows)} lines -> {out}")
    for k, v in sorted(c.items(), key=lambda kv: -kv[1]):
        print(f"  {k:13} {v}")


if __name__ == "__main__":
    main()
