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
running text, a few paragraphs); output starts after the first one. Text dense
with boilerplate may have no such run for megabytes, so a window is also cut
once it holds MAX_WINDOW_CHARS, at a paragraph break where there is one: lines
within a block's or sandwich's reach of that cut (or a repeat across it) may be
decided differently from cleaning the whole text at once, but every output
line is still an input line, in order, and every removal is reported.

A hard-wrapped text (stripper.wrap) is judged wrapped or not from its first
DETECT_LINES lines, as `engine.clean` judges it, and every window is cleaned
at that width. In it, the engine decides whole wrapped paragraphs, so runs
and cuts are made of paragraphs too: the cut is a whole paragraph, written
once, by the next window.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from stripper import wrap
from stripper.engine import (
    BOM,
    DEFAULT_TIMEOUT,
    Problem,
    Removal,
    clean,
    context_reach,
    judge_width,
    rule_view,
    touches,
)
from stripper.files import decode, split_with_endings
from stripper.rules import RuleSet

MIN_WINDOW = 200  # lines read before looking for a cut: small enough for pipes, large enough to be cheap
MAX_WINDOW_CHARS = 1 << 20  # a window is cut here even without a safe line: memory stays flat on any input


@dataclass(frozen=True, slots=True)
class Window:
    """Consecutive lines of the whole text; `start` is the 0-based index of the first one."""

    start: int
    text: str
    overlap: str = ""  # the last line (or wrapped paragraph), kept, and written by the next window instead
    skip: frozenset[str] = frozenset()  # line rules that timed out while the stream was cut: not run on it
    problems: tuple[Problem, ...] = ()  # those timeouts, on lines of this window (numbered in the whole text)
    width: int | None = None  # the whole text's wrap width (stripper.wrap), None if it is not hard-wrapped
    overlap_lines: int = 1  # lines in `overlap`: a whole wrapped paragraph in a wrapped text


@dataclass(frozen=True, slots=True)
class Piece:
    """The cleaned output of one window, with its removals numbered as lines of the whole text."""

    text: str
    removals: tuple[Removal, ...]
    problems: tuple[Problem, ...]
    lines: int  # lines of the whole text this piece accounts for


def windows(
    lines: Iterable[bytes],
    rules: RuleSet,
    *,
    min_lines: int = MIN_WINDOW,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_chars: int = MAX_WINDOW_CHARS,
) -> Iterator[Window]:
    """Cut a text, given as binary lines (a file object opened 'rb'), into windows cleanable one by one."""
    matcher = rules.matcher
    need = context_reach(matcher) + 2
    buffer: list[str] = []  # lines, with their endings, since the last cut
    size = 0  # characters in buffer
    start = 0  # index of buffer[0] in the whole text
    candidates: list[int] = []  # buffer indexes of the non-blank lines read since the window reached min_lines
    first = 0  # a run can only start at candidates[first] or later
    plain: dict[int, str | None] = {}  # buffer index -> normalised line if nothing touches it, else None
    # Line rules that timed out while looking for cuts: one timeout per stream, not one per line. Each window is
    # cleaned without them, so a cut line found untouched without a rule is not removed by it after all.
    timed_out: set[str] = set()
    pending: list[Problem] = []  # those timeouts, for the window holding their line

    width: int | None = None
    detected = False  # whether `width` is known: after DETECT_LINES lines, a forced cut, or the end of the text

    def detect() -> None:
        nonlocal width, detected
        if not detected:
            head = [line.rstrip("\r\n") for line in buffer[: wrap.DETECT_LINES]]
            if head and start == 0 and head[0].startswith(BOM):
                head[0] = head[0][1:]
            width, detected = judge_width(head, matcher, timeout=timeout), True

    def unit_end(i: int) -> int:
        """The last line of the wrapped paragraph that starts at buffer line i (i itself outside one)."""
        j = i
        while width is not None and j + 1 < len(buffer) and wrap.joins(buffer[j], buffer[j + 1], width):
            j += 1
        return j

    def untouched(i: int) -> str | None:
        """The normalised line (or wrapped paragraph) starting at buffer line i if nothing touches it, else None."""
        if i not in plain:
            end = unit_end(i)
            content = buffer[i].rstrip("\r\n")
            if end > i:
                text = rule_view(wrap.join([line.rstrip("\r\n") for line in buffer[i : end + 1]]))
            else:
                text = rule_view(content)
            # A line that normalises to nothing, or starts with a BOM (split_lines strips it), just breaks a run.
            plain[i] = None if not text or content.startswith(BOM) or _touches(text, start + i + 1) else text
        return plain[i]

    def _touches(text: str, number: int) -> bool:
        known = set(timed_out)
        hit = touches(text, matcher, timeout, timed_out)
        for rule in sorted(timed_out - known):
            pending.append(Problem(number, rule, f"regex timed out after {timeout}s; line kept"))
        return hit

    def take_problems(last: int | None) -> tuple[Problem, ...]:
        """The pending timeouts on lines up to `last` (all with None)."""
        mine = tuple(p for p in pending if last is None or p.line <= last)
        pending[:] = [p for p in pending if p not in mine]
        return mine

    for raw in lines:
        text = decode(raw)
        for line in split_with_endings(text) if "\r" in text else (text,):
            buffer.append(line)
            size += len(line)
            if size > max_chars and len(buffer) > 1:
                detect()
                cut = _forced_cut(buffer)
                yield Window(start, "".join(buffer[:cut]), "", frozenset(timed_out), take_problems(start + cut), width)
                start += cut
                del buffer[:cut]
                size = sum(map(len, buffer))
                candidates, first, plain = [], 0, {}
                continue
            if not detected and start == 0 and len(buffer) >= wrap.DETECT_LINES:
                detect()
            if len(buffer) <= min_lines or not line.strip() or not detected:
                continue
            if width is not None and len(buffer) > 1 and wrap.joins(buffer[-2], line, width):
                continue  # the rest of the paragraph that the newest candidate starts
            candidates.append(len(buffer) - 1)
            # Test the newest possible run from its last line back, so that a touched line skips a whole run.
            found = False
            # In a wrapped text a candidate is a paragraph, complete only once the next one has started.
            ready = len(candidates) - (width is not None)
            while ready - first >= need and not found:
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
                end = unit_end(cut)  # the cut is a whole wrapped paragraph in a wrapped text
                yield Window(
                    start,
                    "".join(buffer[: end + 1]),
                    "".join(buffer[cut : end + 1]),
                    frozenset(timed_out),
                    take_problems(start + cut),
                    width,
                    end + 1 - cut,
                )
                start += cut
                del buffer[:cut]
                size = sum(map(len, buffer))
                candidates, first, plain = [], 0, {}
    detect()
    yield Window(start, "".join(buffer), skip=frozenset(timed_out), problems=take_problems(None), width=width)


def _forced_cut(buffer: list[str]) -> int:
    """Where to end a window that found no safe cut: after the last blank line of its second half, else before
    its last line. The next window never starts with a BOM (split_lines would take it for the text's own).
    """
    for i in range(len(buffer) - 1, len(buffer) // 2, -1):
        if not buffer[i - 1].strip() and buffer[i].strip() and not buffer[i].startswith(BOM):
            return i
    cut = len(buffer) - 1
    while cut > 1 and buffer[cut].startswith(BOM):
        cut -= 1
    return cut


def clean_window(window: Window, rules: RuleSet, *, timeout: float | None = DEFAULT_TIMEOUT) -> Piece:
    """Clean one window; its text is the whole text's output for those lines (the overlap line excluded)."""
    result = clean(window.text, rules, timeout=timeout, skip=window.skip, width=window.width)
    text = result.text
    if window.overlap:
        assert text.endswith(window.overlap), "a window must end with a kept line"
        text = text[: -len(window.overlap)]
    offset = window.start
    return Piece(
        text,
        tuple(Removal(r.line + offset, r.text, r.rule, r.category) for r in result.removals),
        tuple(
            sorted(
                (*window.problems, *(Problem(p.line + offset, p.rule, p.message) for p in result.problems)), key=_line
            )
        ),
        result.lines - (window.overlap_lines if window.overlap else 0),
    )


def clean_stream(
    lines: Iterable[bytes],
    rules: RuleSet,
    *,
    min_lines: int = MIN_WINDOW,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_chars: int = MAX_WINDOW_CHARS,
) -> Iterator[Piece]:
    """Clean a text given as binary lines, yielding output as soon as each window is decided.

    Joined, the pieces' texts equal `clean(whole text).text`, and their removals its removals (but see
    MAX_WINDOW_CHARS).
    """
    for window in windows(lines, rules, min_lines=min_lines, timeout=timeout, max_chars=max_chars):
        yield clean_window(window, rules, timeout=timeout)


def _line(problem: Problem) -> int:
    return problem.line
