"""Hard-wrapped text: the paragraphs that `html2text`, `lynx -dump`, `w3m -dump`, `fmt` or `fold -s` broke
across lines, so that rules judge a paragraph as the paragraph.

    You have read 3 of your 5 free articles this month. [Subscribe
    now](https://example.com/subscribe) for unlimited access to award-winning
    journalism.

Line by line, the first line is a paywall counter and the other two are nothing a rule knows: a line-by-line
cleaner removes the first and leaves a torn sentence. Worse, the first line of a wrapped article paragraph
can look like a whole boilerplate line. Once the text is known to be wrapped at some width, a line that was
broken because the next word did not fit is joined with the next line, and the engine decides each such
paragraph as one line: all of its lines go, or none.

Whether a text is wrapped, and at which width, is decided once per text from its first DETECT_LINES lines
(`width`), so that a text cleaned in one go and the same text cleaned in windows by stripper.stream join the
same lines. Which lines join then depends only on the two lines (`joins`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

DETECT_LINES = 1000  # lines of a text read to decide whether it is wrapped (a page's menus can fill hundreds)
MIN_WIDTH = 40  # narrower than this, short lines are menus and lists, not a wrap width
MAX_WIDTH = 120  # wider than this is not a terminal wrap width: the text has a line per paragraph
MIN_BREAKS = 3  # wrap points the text must show
MIN_SHARE = 0.6  # of the lines followed by a plain line, the share that end at the wrap width
OUTLIERS = 0.03  # plain lines longer than the width (unwrapped headings, long words) tolerated
# Renderers that wrap (html2text, lynx, w3m, fmt of HTML) put a blank line between paragraphs. A text that
# is wrapped but has none (one paragraph after another) cannot show where a paragraph ends when its last line
# is nearly full, and the next paragraph, or a heading, would be judged as part of it: such a text is read
# line by line. At least one blank line per this many other lines.
BLANK_RATIO = 10
SLACK = 4  # a line this much longer than the width judged can still be a wrapped one (the width was judged
# from the text's first lines; a later paragraph may have come closer to the real width)

# Lines that start a block of their own in text renderings: list items, headings, quotes, table rows,
# numbered items. They never continue the line before them.
_BLOCK_START = re.compile(r"\s*(?:[-*+\u2022\u00b7\u25aa\u25cf\u25ba\u25b6\u2192#>|]|\d{1,3}[.)](?:\s|$))")


def _starts_block(line: str) -> bool:
    return _BLOCK_START.match(line) is not None


def _first_word(line: str) -> int:
    """Length of the first word of a line (its leading whitespace ignored)."""
    words = line.split(None, 1)
    return len(words[0]) if words else 0


def width(contents: Sequence[str]) -> int | None:
    """The width the text was wrapped at, judged from its first DETECT_LINES lines, or None if it was not.

    A wrapped text has blank lines between its paragraphs, a width W that its plain lines (not list items or
    headings) do not exceed, and most plain lines that another plain line follows end there: adding the next
    line's first word would pass W.
    A text with one line per paragraph has lines far longer than any wrap width, or short lines that do not
    end near their longest one.
    """
    head = [line.rstrip() for line in contents[:DETECT_LINES]]
    blank = sum(not line for line in head)
    if not blank or blank * BLANK_RATIO < len(head) - blank:
        return None  # no blank lines between paragraphs: where one ends is not known (see BLANK_RATIO)
    plain = [len(line) for line in head if line and not _starts_block(line) and " " in line.strip()]
    if len(plain) <= MIN_BREAKS:
        return None
    plain.sort()
    w = plain[max(0, int(len(plain) * (1 - OUTLIERS)) - 1)]
    w = max(n for n in plain if n <= w + SLACK)  # the outlier cut can fall just under the real width
    if not MIN_WIDTH <= w <= MAX_WIDTH or plain[-1] > 2 * w:
        return None
    followed = breaks = 0
    for a, b in itertools.pairwise(head):
        if not a or not b or _starts_block(b) or len(a) > w:
            continue
        followed += 1
        if len(a) + 1 + _first_word(b) > w:
            breaks += 1
    if breaks < MIN_BREAKS or breaks < MIN_SHARE * followed:
        return None
    return w


def joins(a: str, b: str, w: int) -> bool:
    """Whether line `a` of a text wrapped at width `w` was broken before `b`: b's first word did not fit."""
    a = a.rstrip()
    if not a or not b.strip() or _starts_block(b) or len(a) > w + SLACK:
        return False
    return len(a) + 1 + _first_word(b) > w


def units(contents: Sequence[str], w: int) -> list[range]:
    """The text as consecutive runs of line indexes: a wrapped paragraph, or any other single line."""
    out: list[range] = []
    start = 0
    for i in range(1, len(contents) + 1):
        if i == len(contents) or not joins(contents[i - 1], contents[i], w):
            out.append(range(start, i))
            start = i
    return out


def join(lines: Sequence[str]) -> str:
    """The paragraph the wrapped lines were: their words with one space where a line broke (none after a
    hyphen that broke a word, as in "award-" / "winning")."""
    out = lines[0].strip()
    for line in lines[1:]:
        text = line.strip()
        out += text if out.endswith("-") and out[-2:-1].isalpha() else " " + text
    return out
