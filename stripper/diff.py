"""A unified diff of what cleaning removes from a document, and its colouring for a terminal."""

from __future__ import annotations

import difflib

from stripper.engine import Result
from stripper.files import split_with_endings

NO_NEWLINE = "\\ No newline at end of file\n"


def unified(result: Result, source: str, context: int = 3) -> str:
    """The diff from the original to the cleaned text ("" when nothing is removed).

    Both headers name the source, so `patch -p0 < diff` applies the cleaning.
    """
    if result.text == result.original:
        return ""
    lines = difflib.unified_diff(
        split_with_endings(result.original), split_with_endings(result.text), fromfile=source, tofile=source, n=context
    )
    out = []
    for line in lines:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:  # the last line of a text without a final line break
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


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
