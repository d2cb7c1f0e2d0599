"""A unified diff of what cleaning removes from a document, and its colouring for a terminal."""

from __future__ import annotations

import difflib
import itertools

from stripper.engine import Result
from stripper.files import split_with_endings

BOM = "\ufeff"
NO_NEWLINE = "\\ No newline at end of file\n"


def unified(result: Result, source: str, context: int = 3) -> str:
    """The diff from the original to the cleaned text ("" when nothing is removed).

    Both headers name the source, so `patch -p0 < diff` applies the cleaning. Cleaning only ever
    drops whole lines, so the diff is built in one linear pass from which lines were kept, not
    with difflib's matcher (quadratic on long texts full of repeated lines).
    """
    if result.text == result.original:
        return ""
    old, new = result.original, result.text
    if old.startswith(BOM) and new.startswith(BOM):
        old, new = old[1:], new[1:]
    a, b = split_with_endings(old), split_with_endings(new)
    kept = _kept(a, b, {r.line - 1 for r in result.removals})
    if kept is None:  # not a subsequence (cannot happen with the engine); fall back to difflib
        lines = list(difflib.unified_diff(a, b, fromfile=source, tofile=source, n=context))
    else:
        lines = [f"--- {source}\n", f"+++ {source}\n"]
        before = list(itertools.accumulate(kept, initial=0))  # kept lines before each original line
        for group in _groups(kept, context):
            lines.extend(_hunk(a, kept, before, group))
    out = []
    for line in lines:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:  # the last line of a text without a final line break
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


def _kept(a: list[str], b: list[str], removed: set[int]) -> list[bool] | None:
    """For each line of a, whether it is the next line of b (b is a subsequence of a)."""
    kept = [False] * len(a)
    j = 0
    for i, line in enumerate(a):
        if i not in removed and j < len(b) and line == b[j]:
            kept[i] = True
            j += 1
    return kept if j == len(b) else None


def _groups(kept: list[bool], context: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of original lines to show: each removed run with `context` kept lines around."""
    groups: list[tuple[int, int]] = []
    n = len(kept)
    i = 0
    while i < n:
        if kept[i]:
            i += 1
            continue
        stop = i
        while stop < n and not kept[stop]:
            stop += 1
        lo, hi = max(0, i - context), min(n, stop + context)
        if groups and lo <= groups[-1][1]:
            groups[-1] = (groups[-1][0], hi)
        else:
            groups.append((lo, hi))
        i = stop
    return groups


def _hunk(a: list[str], kept: list[bool], before: list[int], group: tuple[int, int]) -> list[str]:
    lo, hi = group
    new_start, new_len = before[lo], before[hi] - before[lo]
    lines = [f"@@ -{_range(lo, hi - lo)} +{_range(new_start, new_len)} @@\n"]
    lines.extend((" " if kept[i] else "-") + a[i] for i in range(lo, hi))
    return lines


def _range(start: int, length: int) -> str:
    """A hunk range as difflib writes it (1-based; a lone line without its length)."""
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def styled(diff: str):
    """The diff as a rich Text: removed lines red, hunk headers cyan, file headers bold."""
    from rich.text import Text

    text = Text()
    for line in diff.splitlines(keepends=True):
        if line.startswith(("---", "+++")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("+"):
            style = "green"
        else:
            style = ""
        text.append(line, style=style)
    return text
