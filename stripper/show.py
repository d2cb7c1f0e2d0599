"""The cleaned article next to what was removed: removed lines in place, each with its rule and category."""

from __future__ import annotations

from collections import Counter

from stripper.engine import Result, split_lines
from stripper.files import printable

MARK = "-"  # beside a removed line, so the view reads without colour too


def reason(rule: str, category: str) -> str:
    """The rule id, with the category when the id does not already start with it."""
    return rule if rule.startswith(category + ".") else f"{rule} ({category})"


def heading(result: Result, source: str):
    from rich.text import Text

    counts = Counter(r.category for r in result.removals)
    summary = ", ".join(f"{n} {category}" for category, n in counts.most_common())
    text = Text(printable(source), style="bold")
    text.append(f"  {len(result.removals)} of {result.lines} lines removed", style="")
    if summary:
        text.append(f": {summary}")
    return text


def view(result: Result, source: str):
    """Every line of the document; removed ones dimmed and struck through, with their reason beside them.

    A run of blank lines shows as one.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    removed = {r.line: r for r in result.removals}
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(justify="right", style="dim", no_wrap=True)
    grid.add_column(no_wrap=True, style="red")
    grid.add_column(ratio=1, overflow="fold")
    grid.add_column(max_width=30, style="yellow", overflow="fold")
    contents, _ = split_lines(result.original)
    blank_before = False
    for number, content in enumerate(contents, 1):
        if not content.strip():
            if not blank_before:
                grid.add_row("", "", "", "")
            blank_before = True
            continue
        blank_before = False
        line = printable(content)
        removal = removed.get(number)
        if removal is None:
            grid.add_row(str(number), "", Text(line), "")
        else:
            grid.add_row(str(number), MARK, Text(line, style="dim strike"), reason(removal.rule, removal.category))
    return Group(heading(result, source), Text(""), grid)


def removals(result: Result, source: str):
    """Only the removed lines: number, rule, category and text."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("rule", style="yellow", max_width=30, overflow="fold")
    table.add_column("category", no_wrap=True)
    table.add_column("text", ratio=1, overflow="fold")
    for r in result.removals:
        table.add_row(str(r.line), r.rule, r.category, Text(printable(r.text)))
    return Group(heading(result, source), Text(""), table)
