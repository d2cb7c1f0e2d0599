"""Quality benchmark: stripper vs jusText vs datatrove's C4 line rules, on real scraped text.

Run through bench/quality (which makes the venv); see bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import time
from multiprocessing import Pool
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LABELLED = HERE / "data" / "labelled.jsonl"
OUT = HERE / "out"
TOOLS = ("stripper", "jusText", "C4 lines")
NO_PEER = {"jusText": "", "C4 lines": ""}
CATEGORIES = (
    "paywall",
    "registration",
    "donation",
    "newsletter",
    "social",
    "ads",
    "cookies",
    "related",
    "comments",
    "credits",
)
# ISO 639-1 -> jusText stoplist name, for the languages the corpus has.
STOPLISTS = {
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
    "ar": "Arabic",
}


def find_shared(rel: str) -> Path:
    """shared/<rel> beside the checkout (as CI lays it out), or beside any folder above it."""
    for up in ROOT.parents:
        if (up / "shared" / rel).exists():
            return up / "shared" / rel
    return ROOT.parent / "shared" / rel


def norm(s: str) -> str:
    """The corpus README's snippet normalisation."""
    return re.sub(r"\s+", " ", s).strip().casefold()


def split_lines(text: str) -> list[str]:
    """Lines as stripper numbers them (\\n, \\r\\n or \\r; no trailing empty line)."""
    from stripper.engine import split_lines as engine_split

    return engine_split(text)[0]


# --- the three tools; each returns the 1-based numbers of removed lines -------------------------------------

_STATE: dict = {}


def _init(rule_paths: list[str]) -> None:
    from stripper import RuleSet
    from stripper.rules import default_rules_path

    _STATE["rules"] = RuleSet.load([default_rules_path(), *map(Path, rule_paths)])


def run_stripper(text: str) -> tuple[set[int], dict[int, tuple[str, str]], str]:
    from stripper import clean

    result = clean(text, _STATE["rules"])
    why = {r.line: (r.rule, r.category) for r in result.removals}
    return set(why), why, result.text


def run_justext(lines: list[str], lang: str | None) -> set[int]:
    """jusText with each non-blank line as one <p> paragraph, default thresholds, the text's stoplist."""
    import justext

    if "jt" not in _STATE:
        _STATE["jt"] = {}
    idx = [i for i, line in enumerate(lines) if line.strip()]
    if not idx:
        return set()
    body = "".join(f"<p>{html.escape(_xml_safe(lines[i]))}</p>" for i in idx)
    page = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
    name = STOPLISTS.get(lang or "")
    if name:
        stoplist = _STATE["jt"].setdefault(name, justext.get_stoplist(name))
        paragraphs = justext.justext(page, stoplist, encoding="utf-8")
    else:  # jusText's documented language-independent mode
        paragraphs = justext.justext(page, frozenset(), stopwords_low=0, stopwords_high=0, encoding="utf-8")
    kept = set()
    for p in paragraphs:
        m = re.search(r"/p\[(\d+)\]$", p.xpath)
        if m and not p.is_boilerplate and int(m.group(1)) <= len(idx):
            kept.add(idx[int(m.group(1)) - 1])
    # A paragraph jusText does not return at all is not in its output: removed.
    return {i + 1 for i in idx if i not in kept}


def _xml_safe(s: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", " ", s)


def run_c4(lines: list[str]) -> set[int]:
    """datatrove's C4QualityFilter applied to each line as its own document, line rules only.

    The one document-level rule that only makes sense for whole pages (fewer than 5 sentences) is off
    (min_num_sentences=-1); a line that trips a page-dropping rule ('{', 'lorem ipsum') counts as removed.
    """
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter

    f = _STATE.get("c4") or _STATE.setdefault("c4", C4QualityFilter(min_num_sentences=-1))
    removed = set()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        doc = Document(text=line, id=str(i))
        if f.filter(doc) is not True or not doc.text.strip():
            removed.add(i + 1)
    return removed


def render_html2text(lines: list[str]) -> tuple[str, list[range]]:
    """The document as `html2text` prints it when each line is a <p> (wrapped at its default 78 columns, a
    blank line between paragraphs), and for each input line the 1-based numbers of its output lines."""
    import html2text

    out: list[str] = []
    spans: list[range] = []
    for line in lines:
        if not line.strip():
            spans.append(range(0))
            continue
        converter = html2text.HTML2Text()
        md = converter.handle("<p>" + html.escape(line.strip(), quote=False) + "</p>").strip("\n").split("\n")
        spans.append(range(len(out) + 1, len(out) + 1 + len(md)))
        out += [*md, ""]
    return "\n".join(out) + "\n", spans


def run_wrapped(lines: list[str]) -> dict:
    """stripper on the html2text rendering, judging wrapped paragraphs whole and (as before it could) line by
    line; per input line, whether all / any of its output lines went."""
    from stripper import clean
    from stripper.engine import AUTO

    text, spans = render_html2text(lines)
    out = {}
    for mode, width in (("paragraphs", AUTO), ("lines", None)):
        gone = {r.line for r in clean(text, _STATE["rules"], width=width).removals}
        out[mode] = {
            "all": [i + 1 for i, s in enumerate(spans) if s and all(n in gone for n in s)],
            "any": [i + 1 for i, s in enumerate(spans) if any(n in gone for n in s)],
        }
    return out


def work(task: dict) -> dict:
    """Run all three tools on one document; score its snippets if it has any."""
    text, lang = task["text"], task["lang"]
    lines = split_lines(text)
    s_removed, why, s_text = run_stripper(text)
    removed = {"stripper": s_removed, "jusText": run_justext(lines, lang), "C4 lines": run_c4(lines)}
    out = {
        "key": task["key"],
        "lines": sum(1 for x in lines if x.strip()),
        "why": why,
        "removed": {k: sorted(v) for k, v in removed.items()},
    }
    if task.get("wrapped"):
        out["wrapped"] = run_wrapped(lines)
    if "with" in task:
        before = norm(text)
        keep = {}
        for tool, gone in removed.items():
            after = norm(
                s_text if tool == "stripper" else "\n".join(x for i, x in enumerate(lines) if i + 1 not in gone)
            )
            w = [s for s in map(norm, task["with"]) if s in before]
            wo = [s for s in map(norm, task["without"]) if s in before]
            keep[tool] = (sum(s in after for s in w), len(w), sum(s not in after for s in wo), len(wo))
        out["keep"] = keep
    return out


# --- inputs -------------------------------------------------------------------------------------------------


def guess_lang(text: str) -> str | None:
    """Language by jusText stoplist coverage, for pages without a lang attribute."""
    import justext

    words = re.findall(r"\w+", text.casefold())[:2000]
    best, score = None, 0.0
    for code, name in STOPLISTS.items():
        stop = justext.get_stoplist(name)
        s = sum(w in stop for w in words) / max(1, len(words))
        if s > score:
            best, score = code, s
    return best if score > 0.1 else None


def load_tasks(corpus: Path, example: Path | None) -> tuple[list[dict], list[dict], dict]:
    recs = [json.loads(x) for x in open(corpus / "labels.jsonl", encoding="utf-8")]
    langs = {}
    tasks, pure = [], []
    for rec in recs:
        extracted = (corpus / "extracted" / f"{rec['id']}.txt").read_text(encoding="utf-8")
        lang = rec["lang"] or guess_lang(extracted)
        langs[rec["id"]] = lang
        for src in ("extracted", "page"):
            text = extracted if src == "extracted" else (corpus / src / f"{rec['id']}.txt").read_text(encoding="utf-8")
            tasks.append(
                {"key": (src, rec["id"]), "text": text, "lang": lang, "with": rec["with"], "without": rec["without"]}
            )
        snippets = [norm(w) for w in rec["with"]]
        article, seen = [], set()
        for x in split_lines(extracted):
            # each line once: lines that were apart in the page must not become adjacent repeats here
            if norm(x) not in seen and any(s and s in norm(x) for s in snippets):
                article.append(x)
                seen.add(norm(x))
        if article:
            pure.append({"key": ("pure", rec["id"]), "text": "\n".join(article) + "\n", "lang": lang})
    if example and example.exists():
        rows = [r.split("\t") for r in example.read_text(encoding="utf-8").splitlines()[1:]]
        keep = [r[3] for r in rows if len(r) > 3 and r[1] == "keep"]
        pure.append({"key": ("pure", example.name), "text": "\n\n".join(keep) + "\n", "lang": "en"})
    return tasks, pure, langs


# --- scoring ------------------------------------------------------------------------------------------------


def pct(k: int, n: int) -> str:
    return f"{100 * k / n:5.1f}% ({k})" if n else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=Path(os.environ.get("STRIPPER_CORPUS", find_shared("corpus/dev"))))
    ap.add_argument("--example", type=Path, default=find_shared("examples/jns-ukraine.expected.tsv"))
    ap.add_argument("--labelled", type=Path, default=LABELLED)
    ap.add_argument(
        "--half",
        choices=("test", "tune", "all"),
        default="test",
        help="which half of the labelled lines the table shows (default: the held-back test half)",
    )
    ap.add_argument("--rules", action="append", default=[], help="extra rule file or folder, added to the defaults")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=OUT, help="folder for quality.json and per-line verdicts")
    a = ap.parse_args(argv)
    if not (a.corpus / "labels.jsonl").exists():
        print(f"bench/quality: no corpus at {a.corpus} (give --corpus or STRIPPER_CORPUS)", file=sys.stderr)
        return 2
    t0 = time.time()
    import stripper

    print(f"stripper {stripper.__version__} from {Path(stripper.__file__).parent}", file=sys.stderr)
    tasks, pure_tasks, _langs = load_tasks(a.corpus, a.example)
    labelled = [json.loads(x) for x in open(a.labelled, encoding="utf-8")]
    # The html2text rendering is scored on the labelled documents and the pure-article texts.
    rendered = {(row["source"], row["doc"]) for row in labelled}
    for task in tasks + pure_tasks:
        task["wrapped"] = task["key"] in rendered or task["key"][0] == "pure"
    results = {}
    with Pool(a.jobs, initializer=_init, initargs=(a.rules,)) as pool:
        for r in pool.imap_unordered(work, tasks + pure_tasks, chunksize=4):
            results[r["key"]] = r
    print(f"ran 3 tools on {len(results)} documents in {time.time() - t0:.0f}s", file=sys.stderr)

    report: dict = {"keep": {}, "pure": {}, "labelled": {}}
    rows: list[tuple] = []  # (section or None, label, n, {tool: cell})

    # 1. keep test
    rows.append(("Keep test: dev corpus labels.jsonl, snippets present in the input",))
    for src in ("extracted", "page"):
        agg = {t: [0, 0, 0, 0] for t in TOOLS}
        for (s, _), r in results.items():
            if s == src:
                for t in TOOLS:
                    agg[t] = [x + y for x, y in zip(agg[t], r["keep"][t], strict=True)]
        report["keep"][src] = agg
        rows.append(
            (
                None,
                f"'with' kept, {src}/ (target 100%)",
                agg["stripper"][1],
                {t: pct(agg[t][0], agg[t][1]) for t in TOOLS},
            )
        )
        rows.append(
            (None, f"'without' removed, {src}/", agg["stripper"][3], {t: pct(agg[t][2], agg[t][3]) for t in TOOLS})
        )

    # 2. pure-article test
    rows.append(("Pure article: only 'with' lines + JNS article lines; every removal is a false positive",))
    pures = [r for (s, _), r in results.items() if s == "pure"]
    n_lines = sum(r["lines"] for r in pures)
    pure_fp = []
    for t in TOOLS:
        k = sum(len(r["removed"][t]) for r in pures)
        d = sum(bool(r["removed"][t]) for r in pures)
        report["pure"][t] = {"lines_removed": k, "lines": n_lines, "docs_touched": d, "docs": len(pures)}
    for r in pures:
        text_lines = split_lines(next(p["text"] for p in pure_tasks if p["key"] == r["key"]))
        for n in r["removed"]["stripper"]:
            pure_fp.append({"doc": r["key"][1], "line": n, "text": text_lines[n - 1], "rule": r["why"][n][0]})
    rows.append(
        (
            None,
            "lines removed (target 0)",
            n_lines,
            {t: pct(report["pure"][t]["lines_removed"], n_lines) for t in TOOLS},
        )
    )
    rows.append(
        (
            None,
            "documents touched (target 0)",
            len(pures),
            {t: pct(report["pure"][t]["docs_touched"], len(pures)) for t in TOOLS},
        )
    )

    # 3-5. labelled lines
    verdicts = []
    for row in labelled:
        r = results[(row["source"], row["doc"])]
        v = {t: row["line"] in set(r["removed"][t]) for t in TOOLS}
        verdicts.append({**row, "removed": v, "stripper_rule": r["why"].get(row["line"], (None,))[0]})
    _check_lines(a.corpus, labelled)
    shown = [v for v in verdicts if a.half == "all" or v["half"] == a.half]

    def rate(vs):
        return {t: (sum(v["removed"][t] for v in vs), len(vs)) for t in TOOLS}

    def add(label, vs, key):
        rt = rate(vs)
        report["labelled"][key] = {t: {"removed": k, "n": n} for t, (k, n) in rt.items()}
        rows.append((None, label, len(vs), {t: pct(*rt[t]) for t in TOOLS}))

    half_name = {"test": "test half (held back)", "tune": "tune half", "all": "both halves"}[a.half]
    content = [v for v in shown if v["label"] == "content"]
    boiler = [v for v in shown if v["label"] in CATEGORIES]
    rows.append((f"Labelled lines, {half_name}: content removed = false positives (target 0)",))
    add("content lines removed", content, "content")
    for lang in sorted({v["lang"] for v in content}, key=lambda x: (-sum(v["lang"] == x for v in content), str(x))):
        add(f"  {lang or 'unknown'}", [v for v in content if v["lang"] == lang], f"content/{lang or 'unknown'}")
    rows.append((f"Labelled lines, {half_name}: boilerplate removed = recall",))
    add("all targeted categories", boiler, "boilerplate")
    for cat in CATEGORIES:
        add(f"  {cat}", [v for v in boiler if v["label"] == cat], f"boilerplate/{cat}")
    for lang in sorted({v["lang"] for v in boiler}, key=lambda x: -sum(v["lang"] == x for v in boiler)):
        add(f"  lang {lang}", [v for v in boiler if v["lang"] == lang], f"boilerplate/lang/{lang}")
    others = [v for v in shown if v["label"] == "other"]
    if others:
        add("'other' lines removed (not scored)", others, "other")

    # 6. the same lines through html2text (README's pipeline): stripper only, paragraph-aware vs line by line
    rows.append((f"html2text rendering (each line a <p>, wrapped at 78 columns), {half_name}: stripper only",))
    report["html2text"] = {}
    for mode, name in (("paragraphs", "wrapped paragraphs judged whole"), ("lines", "judged line by line")):
        gone_all, gone_any = [], []
        for v in shown:
            w = results[(v["source"], v["doc"])]["wrapped"][mode]
            gone_all.append(v["line"] in w["all"])
            gone_any.append(v["line"] in w["any"])
        c = [k for k, v in enumerate(shown) if v["label"] == "content"]
        b = [k for k, v in enumerate(shown) if v["label"] in CATEGORIES]
        hit = sum(gone_any[k] for k in c)
        rec = sum(gone_all[k] for k in b)
        torn = sum(gone_any[k] and not gone_all[k] for k in b)
        pure_lines = sum(len(r["wrapped"][mode]["any"]) for r in pures)
        report["html2text"][mode] = {
            "content_touched": hit,
            "content": len(c),
            "boilerplate_removed": rec,
            "boilerplate_torn": torn,
            "boilerplate": len(b),
            "pure_lines_touched": pure_lines,
            "pure_lines": n_lines,
        }
        for label, k, n in (
            ("content lines touched", hit, len(c)),
            ("boilerplate removed whole", rec, len(b)),
            ("boilerplate torn (part removed)", torn, len(b)),
            ("pure article lines touched", pure_lines, n_lines),
        ):
            rows.append((None, f"{name}: {label}", n, {"stripper": pct(k, n), **NO_PEER}))

    # per category x language counts go to the JSON only (the table would be too wide)
    for cat in CATEGORIES:
        for lang in sorted({v["lang"] for v in boiler}):
            vs = [v for v in boiler if v["label"] == cat and v["lang"] == lang]
            if vs:
                report["labelled"][f"boilerplate/{cat}/{lang}"] = {
                    t: {"removed": k, "n": n} for t, (k, n) in rate(vs).items()
                }

    render(rows)
    a.out.mkdir(parents=True, exist_ok=True)
    report["half"] = a.half
    report["seconds"] = round(time.time() - t0, 1)
    (a.out / "quality.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with open(a.out / "labelled-verdicts.jsonl", "w", encoding="utf-8") as f:
        for v in verdicts:
            f.write(json.dumps(v, ensure_ascii=False) + "\n")
    with open(a.out / "pure-article-removals.jsonl", "w", encoding="utf-8") as f:
        for p in pure_fp:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(
        f"details: {a.out}/quality.json, labelled-verdicts.jsonl, pure-article-removals.jsonl "
        f"({time.time() - t0:.0f}s)",
        file=sys.stderr,
    )
    return 0


def _check_lines(corpus: Path, labelled: list[dict]) -> None:
    """Every labelled line must still be the line stripper sees at that number."""
    cache: dict = {}
    for row in labelled:
        key = (row["source"], row["doc"])
        if key not in cache:
            cache[key] = split_lines((corpus / row["source"] / f"{row['doc']}.txt").read_text(encoding="utf-8"))
        if cache[key][row["line"] - 1].strip() != row["text"]:
            raise SystemExit(f"labelled line {row['doc']}:{row['line']} does not match the corpus text")


def render(rows: list[tuple]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="stripper quality vs peers (share of the n lines/snippets; count in brackets)")
    table.add_column("measure")
    table.add_column("n", justify="right")
    for t in TOOLS:
        table.add_column(t, justify="right")
    for row in rows:
        if len(row) == 1:
            table.add_section()
            table.add_row(f"[bold]{row[0]}[/bold]", "", "", "", "")
        else:
            _, label, n, cells = row
            table.add_row(label, str(n), *(cells[t] for t in TOOLS))
    Console(width=max(140, Console().width)).print(table)


if __name__ == "__main__":
    sys.exit(main())
