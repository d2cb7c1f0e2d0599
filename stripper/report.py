"""What stripper tells a user about its removals: the JSON Lines report, the run's tally and its summary."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from stripper.engine import Problem, Removal, Result
from stripper.files import encode, printable

TOP_RULES = 8


def removal_record(removal: Removal) -> dict:
    """One removal as JSON; a line with undecodable bytes also carries them exactly, base64-encoded (like rg --json)."""
    text = printable(removal.text)
    record = {"line": removal.line, "text": text, "rule": removal.rule, "category": removal.category}
    if text != removal.text:
        try:
            record["bytes"] = base64.b64encode(encode(removal.text)).decode("ascii")
        except UnicodeEncodeError:  # a lone surrogate from a JSON string: there are no original bytes
            pass
    return record


def document_record(
    source: str,
    lines: int,
    removals: Iterable[Removal],
    kept_chars: int,
    removed_chars: int,
    problems: Iterable[Problem] = (),
) -> dict:
    """The report object of one document; "problems" (rules that timed out, lines kept) only when there are any."""
    record = {
        "source": printable(source),
        "lines": lines,
        "removed": [removal_record(r) for r in removals],
        "kept_chars": kept_chars,
        "removed_chars": removed_chars,
    }
    problems = [{"line": p.line, "rule": p.rule, "message": p.message} for p in problems]
    if problems:
        record["problems"] = problems
    return record


def result_record(result: Result, source: str) -> dict:
    return document_record(
        source, result.lines, result.removals, result.kept_chars, result.removed_chars, result.problems
    )


def dumps(record: dict) -> str:
    """One JSON Lines line (with its newline); never contains a lone surrogate."""
    return json.dumps(record, ensure_ascii=False) + "\n"


@dataclass
class Tally:
    """Counts over a run, added up document by document (and across worker processes)."""

    documents: int = 0
    changed: int = 0  # documents that lost at least one line
    lines: int = 0
    removed: int = 0
    bytes: int = 0
    bad_lines: int = 0  # JSON Lines input lines that were not a document
    errors: int = 0  # inputs that could not be read or written
    categories: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)

    def add(self, removals: Iterable[Removal], lines: int, size: int = 0) -> None:
        """Count one document."""
        removed = self.removed
        self.count(removals, lines, size)
        self.documents += 1
        self.changed += self.removed > removed

    def count(self, removals: Iterable[Removal], lines: int, size: int = 0) -> None:
        """Count lines and removals of a part of a document (a window of a stream)."""
        removals = tuple(removals)
        self.lines += lines
        self.removed += len(removals)
        self.bytes += size
        self.categories.update(r.category for r in removals)
        self.rules.update(r.rule for r in removals)

    def merge(self, other: Tally) -> None:
        for name in ("documents", "changed", "lines", "removed", "bytes", "bad_lines", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.categories.update(other.categories)
        self.rules.update(other.rules)


def check_message(tally: Tally) -> str:
    """The closing line of --check, like black's."""
    docs = _plural(tally.documents, "document")
    if not tally.changed:
        return f"{docs} checked, nothing to remove"
    return f"{_plural(tally.changed, 'document')} of {tally.documents} would lose {_plural(tally.removed, 'line')}"


def would_clean(source: str, removed: int) -> str:
    """The line --check prints for each document that would lose lines."""
    return f"would clean {printable(source)} ({_plural(removed, 'line')})"


def summary(tally: Tally, seconds: float):
    """The closing summary for a terminal: documents, time and speed, then lines removed by category and rule."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    rate = tally.bytes / 1e6 / seconds if seconds > 0 else 0.0
    headline = Text(
        f"{_plural(tally.documents, 'document')}, {tally.changed:,} changed; "
        f"{tally.removed:,} of {tally.lines:,} lines removed; "
        f"{tally.bytes / 1e6:.1f} MB in {seconds:.2f} s ({rate:.1f} MB/s)"
    )
    if tally.bad_lines:
        headline.append(f"; {_plural(tally.bad_lines, 'input line')} not a document")
    if tally.errors:
        headline.append(f"; {_plural(tally.errors, 'error')}", style="red")
    if not tally.removed:
        return headline
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("category")
    table.add_column("lines", justify="right")
    table.add_column("top rules")
    table.add_column("lines", justify="right")
    categories = tally.categories.most_common()
    rules = tally.rules.most_common(TOP_RULES)
    for i in range(max(len(categories), len(rules))):
        category, n = categories[i] if i < len(categories) else ("", None)
        rule, m = rules[i] if i < len(rules) else ("", None)
        table.add_row(category, f"{n:,}" if n else "", rule, f"{m:,}" if m else "")
    return Group(headline, table)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def proposals_table(learned):
    """The proposals of `stripper learn` as a table: group, documents and share, category, rule id, line.

    Lines that repeat but are no rule (bylines, dates) are listed too, dimmed, with the reason.
    """
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    accepted = len(learned.accepted)
    headline = Text(
        f"{_plural(accepted, 'rule')} learned from {_plural(learned.documents, 'document')} "
        f"in {_plural(len(learned.groups), 'group')}"
    )
    skipped = len(learned.proposals) - accepted
    if skipped:
        headline.append(f"; {_plural(skipped, 'repeated line')} not learned")
    if learned.copies:
        headline.append(f"; {_plural(learned.copies, 'copy', 'copies')} of other documents not counted")
    if learned.untracked:
        headline.append(f"; candidate table full: {learned.untracked:,} line occurrences not counted", style="red")
    memory = Text(memory_note(learned), style="dim")
    if not learned.proposals:
        return Group(headline, memory)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("group")
    table.add_column("docs", justify="right")
    table.add_column("share", justify="right")
    table.add_column("category")
    table.add_column("rule", overflow="fold")
    table.add_column("line", ratio=1)
    for p in learned.proposals:
        rule = p.rule_id if p.skipped is None else f"not learned: {p.skipped}"
        table.add_row(  # Text, not markup: a scraped line may well contain "[link]"
            Text(p.group),
            f"{p.docs:,}",
            f"{p.share:.0%}",
            Text(p.category if p.skipped is None else ""),
            Text(rule),
            Text(printable(p.text)),
            style="dim" if p.skipped else None,
        )
    return Group(headline, memory, table)


def memory_note(learned) -> str:
    """What counting held in memory, and how far the sketch may have overcounted (before the exact recount)."""
    from stripper.learn import error_bound

    options = learned.options
    bound = error_bound(options.sketch_width, learned.pairs)
    return (
        f"counted {learned.pairs:,} (document, line) pairs in a {learned.sketch_bytes / 2**20:,.0f} MB sketch "
        f"(overcount at most {bound:,.1f} with 98% probability, then recounted exactly); "
        f"{learned.peak_candidates:,} of {options.max_candidates:,} candidate slots used"
    )
