"""Clean a text of any length in bounded memory, with the same result as cleaning it in one go.

The text is cut into windows at lines that no rule can reach across: a run of
context_reach + 2 non-blank lines that no rule, block start or block end
touches, each different from the one before. The second line of such a run is
kept whatever comes before or after it (a block cannot span the run, a
sandwich is too short to, and a repeat needs an equal line before it), so
everything before it is decided without looking past it and everything after
it without looking before it. That line ends one window and starts the next;
each window is cleaned with `engine.clean`, and the line is written once.

Memory is bounded by the longest stretch of the input without such a run (in
running text, a few paragraphs); output starts after the first one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from stripper.engine import BOM, DEFAULT_TIMEOUT, Problem, Removal, clean, context_reach, touches
from stripper.files import decode, split_with_endings
from stripper.normalize import normalise
from stripper.rules import RuleSet

MIN_WINDOW = 200  # lines read before looking for a cut: small enough for pipes, large enough to be cheap


@dataclass(frozen=True, slots=True)
class Window:
    """Consecutive lines of the whole text; `start` is the 0-based index of the first one."""

    start: int
    text: str
    overlap: str = ""  # the last line, kept, and written by the next window instead ("" for the last window)


@dataclass(frozen=True, slots=True)
class Piece:
    """The cleaned output of one window, with its removals numbered as lines of the whole text."""

    text: str
    removals: tuple[Removal, ...]
    problems: tuple[Problem, ...]
    lines: int  # lines of the whole text this piece accounts for


def windows(
    lines: Iterable[bytes], rules: RuleSet, *, min_lines: int = MIN_WINDOW, timeout: float | None = DEFAULT_TIMEOUT
) -> Iterator[Window]:
    """Cut a text, given as binary lines (a file object opened 'rb'), into windows cleanable one by one."""
    matcher = rules.matcher
    need = context_reach(matcher) + 2
    buffer: list[str] = []  # lines, with their endings, since the last cut
    start = 0  # index of buffer[0] in the whole text
    candidates: list[int] = []  # buffer indexes of the non-blank lines read since the window reached min_lines
    first = 0  # a run can only start at candidates[first] or later
    plain: dict[int, str | None] = {}  # buffer index -> normalised line if nothing touches it, else None

    def untouched(i: int) -> str | None:
        if i not in plain:
            content = buffer[i].rstrip("\r\n")
            text = normalise(content)
            # A line that normalises to nothing, or starts with a BOM (split_lines strips it), just breaks a run.
            plain[i] = None if not text or content.startswith(BOM) or touches(text, matcher, timeout) else text
        return plain[i]

    for raw in lines:
        text = decode(raw)
        for line in split_with_endings(text) if "\r" in text else (text,):
            buffer.append(line)
            if len(buffer) <= min_lines or not line.strip():
                continue
            candidates.append(len(buffer) - 1)
            # Test the newest possible run from its last line back, so that a touched line skips a whole run.
            found = False
            while len(candidates) - first >= need and not found:
                for q in range(first + need - 1, first - 1, -1):
                    text_q = untouched(candidates[q])
                    if text_q is None:
                        first = q + 1
                        break
                    if q > first and untouched(candidates[q - 1]) == text_q:
                        first = q  # a repeat may be removed: it can only be a run's first line
                        break
                else:
                    found = True
            if found:
                cut = candidates[first + 1]
                yield Window(start, "".join(buffer[: cut + 1]), buffer[cut])
                start += cut
                del buffer[:cut]
                candidates, first, plain = [], 0, {}
    yield Window(start, "".join(buffer))


def clean_window(window: Window, rules: RuleSet, *, timeout: float | None = DEFAULT_TIMEOUT) -> Piece:
    """Clean one window; its text is the whole text's output for those lines (the overlap line excluded)."""
    result = clean(window.text, rules, timeout=timeout)
    text = result.text
    if window.overlap:
        assert text.endswith(window.overlap), "a window must end with a kept line"
        text = text[: -len(window.overlap)]
    offset = window.start
    return Piece(
        text,
        tuple(Removal(r.line + offset, r.text, r.rule, r.category) for r in result.removals),
        tuple(Problem(p.line + offset, p.rule, p.message) for p in result.problems),
        result.lines - (1 if window.overlap else 0),
    )


def clean_stream(
    lines: Iterable[bytes], rules: RuleSet, *, min_lines: int = MIN_WINDOW, timeout: float | None = DEFAULT_TIMEOUT
) -> Iterator[Piece]:
    """Clean a text given as binary lines, yielding output as soon as each window is decided.

    Joined, the pieces' texts equal `clean(whole text).text`, and their removals its removals.
    """
    for window in windows(lines, rules, min_lines=min_lines, timeout=timeout):
        yield clean_window(window, rules, timeout=timeout)
