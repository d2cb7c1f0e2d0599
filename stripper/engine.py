"""Clean one document: decide which lines go, and why, then reassemble the rest byte for byte."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from stripper import wrap
from stripper.matcher import Matcher, RuleTimeout
from stripper.normalize import lead, markdown_text, normalise_lines
from stripper.rules import Rule, RuleSet

BOM = "\ufeff"
DEFAULT_TIMEOUT = 0.25  # seconds one regex may spend on one line
# No boilerplate line is this long (normalised characters): longer lines are kept without running any rule on
# them, so that a 50 MB line (minified JSON, a text with no line breaks) costs a pass over it, not a rule scan.
MAX_RULE_CHARS = 10_000

# The context pass: a short unmatched line between two removed lines of one of
# these categories is part of the same box ("Israel is at war." in a donation
# appeal). Ads markers, credits and related links sit between real paragraphs,
# so they never pull a neighbour with them.
SANDWICH_CATEGORIES = frozenset({"paywall", "registration", "donation", "newsletter", "cookies", "comments", "social"})
SANDWICH_MAX_WORDS = 8
SANDWICH_MAX_CHARS = 80
SANDWICH_MAX_RUN = 2
SANDWICH_RULE = "context.sandwich"
# Near rules (`near = true`): a short line in a box's words ("+ Probeabo", "Spendenbescheinigung") goes only when
# the non-blank line before or after it went by a rule of one of these categories (or by another near rule).
NEAR_MAX_WORDS = 12
NEAR_MAX_CHARS = 120
# Menu rules (near rules with `menu = true`, "Newsletter", "Newsletters"): a bare menu word also goes when it
# stands in a menu, that is when the non-blank lines on both sides of it are menu-sized or removed. Between two
# paragraphs it stays: "7. Newsletter" in a club's minutes, a sub-heading of an article on marketing.
MENU_MAX_WORDS = 4
MENU_MAX_CHARS = 40
REPEAT_RULE = "dedupe.repeat"
REPEAT_CATEGORY = "duplicate"
# Repeats shorter than this are table cells and list items ("12 Monate", "- 1 Prise"), not captions.
REPEAT_MIN_WORDS = 3
REPEAT_MIN_LETTERS = 15

_NO_SKIP: frozenset[str] = frozenset()
AUTO = -1  # clean(width=AUTO): find out from the text whether it is hard-wrapped (stripper.wrap)
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed line: its 1-based number, its original text, and why it went."""

    line: int
    text: str
    rule: str
    category: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the engine could not do on a line (a rule timed out); the line was kept."""

    line: int
    rule: str
    message: str


@dataclass(frozen=True)
class Result:
    """The outcome of cleaning one document; every output (text, diff, report, view) renders it."""

    original: str
    text: str
    removals: tuple[Removal, ...] = ()
    problems: tuple[Problem, ...] = ()
    lines: int = 0
    source: str | None = field(default=None, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.removals)

    @property
    def removed_chars(self) -> int:
        return sum(len(r.text) for r in self.removals)

    @property
    def kept_chars(self) -> int:
        return len(self.text)


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Contents and endings ('\\n', '\\r\\n', '\\r' or '' for the last line) of every line."""
    if text.startswith(BOM):
        text = text[1:]
    if "\r" not in text:
        contents = text.split("\n")
        endings = ["\n"] * len(contents)
    else:
        parts = _LINE_BREAK.split(text)
        contents, endings = parts[0::2], [*parts[1::2], ""]
    if contents[-1] == "":
        contents.pop()
        endings.pop()
    else:
        endings[-1] = ""
    return contents, endings


def clean(
    text: str,
    rules: RuleSet,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    source: str | None = None,
    skip: frozenset[str] = frozenset(),
    width: int | None = AUTO,
) -> Result:
    """Remove boilerplate lines from `text`; kept lines come out unchanged, with their endings.

    `skip`: ids of line rules not to run (rules that already timed out earlier in the same stream).
    `width`: the width the text is hard-wrapped at (its wrapped paragraphs are judged whole), None for a text
    with one line per paragraph, AUTO to judge from the text (stripper.stream passes the whole text's).
    """
    contents, endings = split_lines(text)
    decided = None
    if width == AUTO:
        width, decided = _judge_width(contents, rules.matcher, timeout, skip)
    verdicts, problems = decided or decide(contents, rules.matcher, timeout=timeout, skip=skip, width=width)
    removals = tuple(Removal(i + 1, contents[i], *v) for i, v in enumerate(verdicts) if v is not None)
    if not removals:
        return Result(text, text, (), tuple(problems), len(contents), source)
    cleaned = assemble(contents, endings, [v is not None for v in verdicts])
    bom = BOM if text.startswith(BOM) else ""
    return Result(text, bom + cleaned, removals, tuple(problems), len(contents), source)


def judge_width(head: Sequence[str], matcher: Matcher, *, timeout: float | None = DEFAULT_TIMEOUT) -> int | None:
    """The width a text is hard-wrapped at (None: one line per paragraph), judged from its first lines `head`
    (wrap.DETECT_LINES of them) so that the cleaned text is judged the same way.

    wrap.width alone judges the text as it is; once its boilerplate is gone, what is left can look otherwise (a
    short text whose only wrapped lines were a removed box; a text that a removed menu kept from looking
    wrapped), and cleaning the cleaned text would then judge its paragraphs differently: not idempotent. So the
    head is cleaned with the width judged, the width of what it keeps is judged again, and so on until the two
    agree (if the judgements go round, the text's own judgement stands). Most texts agree at once, and a text
    of at most DETECT_LINES lines reuses that cleaning (_judge_width). The stream judges a text's width from the
    same head, so it keeps giving the one-go result.
    """
    return _judge_width(head, matcher, timeout, frozenset())[0]


def _judge_width(
    contents: Sequence[str], matcher: Matcher, timeout: float | None, skip: frozenset[str]
) -> tuple[int | None, tuple[list[Verdict], list[Problem]] | None]:
    """judge_width of the text's head, with the head's verdicts when the head is the whole text (else None)."""
    head = contents[: wrap.DETECT_LINES]
    whole = len(head) == len(contents)
    first = width = wrap.width(head)
    tried = {width}
    while True:
        decided = decide(head, matcher, timeout=timeout, skip=skip if whole else frozenset(), width=width)
        # What the cleaned text's first lines will be: the kept lines, blank runs as assemble() leaves them.
        after = assemble(head, ["\n"] * len(head), [verdict is not None for verdict in decided[0]]).split("\n")[:-1]
        kept = wrap.width(after)
        if kept == width:
            return width, decided if whole else None
        if kept in tried:  # the judgements go round (wrapped, then not, then wrapped): take the text as it is
            return first, None
        tried.add(kept)
        width = kept


def rule_view(content: str) -> str:
    """The line as rules see it: normalised (undecodable bytes read as Windows-1252), or "" for a blank line.

    A line longer than MAX_RULE_CHARS is only stripped: no rule runs on it, and normalising it would cost
    a string per word (gigabytes for a 50 MB line).
    """
    return rule_views((content,))[0]


def rule_views(contents: Sequence[str]) -> list[str]:
    """rule_view of every line, the ordinary ones normalised together in one NFKC/casefold pass."""
    out = [""] * len(contents)
    index: list[int] = []
    batch: list[str] = []
    for i, content in enumerate(contents):
        if len(content) > MAX_RULE_CHARS:
            out[i] = content.strip()
        elif content and not content.isspace():
            index.append(i)
            batch.append(rule_text(content))
    for i, text in zip(index, normalise_lines(batch), strict=True):
        out[i] = text
    return out


def rule_text(content: str, *, undecoded: bool = True) -> str:
    """The line rules read before it is normalised: undecodable bytes as Windows-1252 (unless `undecoded` is
    False: stripper learn keeps them, to tell such lines apart), Markdown as its text."""
    if undecoded and not content.isascii() and _UNDECODED.search(content):
        content = _UNDECODED.sub(_as_cp1252, content)
    if "](" in content or "**" in content or "__" in content or "\\" in content:
        content = markdown_text(content)
    return content


def rule_lines(contents: Sequence[str]) -> list[str]:
    """The lines as decide() judges them: each wrapped paragraph of a hard-wrapped text joined into one line."""
    width = wrap.width(contents)
    return list(contents) if width is None else _joined(contents, wrap.units(contents, width))


def _joined(contents: Sequence[str], paragraphs: Sequence[range]) -> list[str]:
    return [contents[u[0]] if len(u) == 1 else wrap.join([contents[i] for i in u]) for u in paragraphs]


# Bytes that are not UTF-8 reach a line as surrogates (surrogateescape). In scraped news they are nearly always
# Latin-1 or Windows-1252, so rules see them as that: "Publicit\xe9" is removed like "Publicité". Only the
# rules' view changes; kept lines come out with their original bytes.
_UNDECODED = re.compile("[\udc80-\udcff]+")


def _as_cp1252(found: re.Match) -> str:
    return bytes(ord(c) - 0xDC00 for c in found.group()).decode("cp1252", "replace")


Verdict = tuple[str, str] | None  # (rule id, category) of the reason a line goes, or None: kept


def decide(
    contents: Sequence[str],
    matcher: Matcher,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    skip: frozenset[str] = frozenset(),
    width: int | None = None,
) -> tuple[list[Verdict], list[Problem]]:
    """Which lines go: rule matches, then block rules, then the context pass, until nothing changes.

    In a text hard-wrapped at `width`, each wrapped paragraph is decided as one line, and all of its lines
    share that verdict.
    """
    paragraphs = wrap.units(contents, width) if width else None
    if paragraphs is None or len(paragraphs) == len(contents):
        return _decide(contents, matcher, timeout, skip)
    verdicts, problems = _decide(_joined(contents, paragraphs), matcher, timeout, skip)
    lines: list[Verdict] = [None] * len(contents)
    for u, verdict in zip(paragraphs, verdicts, strict=True):
        for i in u:
            lines[i] = verdict
    return lines, [Problem(paragraphs[p.line - 1][0] + 1, p.rule, p.message) for p in problems]


def _decide(
    contents: Sequence[str], matcher: Matcher, timeout: float | None, skip: frozenset[str]
) -> tuple[list[Verdict], list[Problem]]:
    problems: list[Problem] = []
    skip = set(skip)
    norms = rule_views(contents)
    keywords = matcher.lines_keywords([t if len(t) <= MAX_RULE_CHARS else "" for t in norms])
    verdicts: list[Verdict] = [None] * len(contents)
    for i, text in enumerate(norms):
        if not text or len(text) > MAX_RULE_CHARS:
            continue
        candidates = matcher.rules_for(keywords[i])
        try:
            rule = matcher.match_candidates(text, candidates, timeout, frozenset(skip) if skip else _NO_SKIP)
        except RuleTimeout as exc:
            # A rule that hangs on one line is dropped for the rest of the document.
            skip.add(exc.rule.id)
            problems.append(Problem(i + 1, exc.rule.id, f"regex timed out after {timeout}s; line kept"))
            try:
                rule = matcher.match_candidates(text, candidates, timeout, frozenset(skip))
            except RuleTimeout:
                rule = None
        if rule is not None:
            verdicts[i] = (rule.id, rule.category)
    by_rule = [i for i, v in enumerate(verdicts) if v is not None]
    starts = _block_starts(norms, matcher, timeout, problems) if matcher.blocks else []
    near_hits: dict[int, Rule | None] = {}
    menu_hits: dict[int, Rule | None] = {}
    near_due = True  # the near pass runs to its own fixpoint: again only after another pass changed something
    while True:
        changed = _blocks(starts, norms, verdicts, matcher, timeout, problems)
        if by_rule or changed:
            changed |= _sandwich(contents, norms, verdicts, matcher.near_ids)
        # A menu rule needs no removed line to start from.
        starting = by_rule or changed or matcher.menu is not None
        if starting and matcher.near is not None and (near_due or changed):
            near_due = False
            changed |= _near(contents, norms, verdicts, matcher, (near_hits, menu_hits), timeout, skip, problems)
        repeated = _repeats(contents, norms, verdicts)
        near_due = near_due or repeated
        if not (changed or repeated):
            return verdicts, problems


def _block_starts(norms, matcher: Matcher, timeout, problems) -> list[tuple[int, int]]:
    """(line index, block index) for every line that opens a block rule.

    Lines without one of a block's start keywords are skipped with one C-level scan of the whole text per
    block, not one Python `in` test per line and keyword.
    """
    texts = [t if len(t) <= MAX_RULE_CHARS else "" for t in norms]
    whole = "\n".join(texts)
    offsets = list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))
    starts = []
    for b, block in enumerate(matcher.blocks):
        limit = block.rule.max_words
        scanner = block.start_keywords
        if scanner is None:
            lines = range(len(texts))
        else:
            lines = sorted({bisect.bisect_right(offsets, m.start()) - 1 for m in scanner.finditer(whole)})
        for i in lines:
            text = texts[i]
            if not text or (limit is not None and text.count(" ") + 1 > limit):
                continue
            try:
                if block.start.search(text, timeout=timeout):
                    starts.append((i, b))
            except TimeoutError:
                problems.append(Problem(i + 1, block.rule.id, f"start regex timed out after {timeout}s"))
                break
    return sorted(starts)


def _blocks(starts, norms, verdicts: list[Verdict], matcher: Matcher, timeout, problems) -> bool:
    """Remove start..end of every block whose end follows within max_lines lines still present.

    Lines already removed can close a block but do not count toward max_lines, so
    cleaning the output again finds no block that this pass did not.
    """
    changed = False
    for i, b in starts:
        block = matcher.blocks[b]
        seen = 0
        for j in range(i, len(norms)):
            if not norms[j]:
                continue
            if j > i and verdicts[j] is None:
                seen += 1
                if seen > block.rule.max_lines:
                    break
            if len(norms[j]) > MAX_RULE_CHARS:
                continue  # no end line: it still counts toward max_lines above
            try:
                found = block.end.search(norms[j], timeout=timeout)
            except TimeoutError:
                problems.append(Problem(j + 1, block.rule.id, f"end regex timed out after {timeout}s"))
                break
            if found:
                for k in range(i, j + 1):
                    if norms[k] and verdicts[k] is None:
                        verdicts[k] = (block.rule.id, block.rule.category)
                        changed = True
                break
    return changed


def _sandwich(contents, norms, verdicts: list[Verdict], near_ids: frozenset[str]) -> bool:
    """Short unmatched lines between removed lines of one box category go with them.

    Lines taken by near rules do not hold a sandwich: they are only known to be boilerplate from their
    neighbours, and counts like "0" or "Merken" sit between photo captions.
    """
    present = _present(norms, verdicts)
    changed = False
    k = 0
    while k < len(present):
        if verdicts[present[k]] is not None:
            k += 1
            continue
        run_end = k
        while run_end < len(present) and verdicts[present[run_end]] is None:
            run_end += 1
        run = present[k:run_end]
        if 0 < k and run_end < len(present) and len(run) <= SANDWICH_MAX_RUN:
            before, after = verdicts[present[k - 1]], verdicts[present[run_end]]
            category = None if before[0] in near_ids else _category(before)
            if (
                category in SANDWICH_CATEGORIES
                and after[0] not in near_ids
                and category == _category(after)
                and all(_short(contents[i], norms[i]) for i in run)
            ):
                for i in run:
                    verdicts[i] = (SANDWICH_RULE, category)
                changed = True
        k = run_end
    return changed


def _near(contents, norms, verdicts: list[Verdict], matcher: Matcher, hits, timeout, skip: set[str], problems) -> bool:
    """Unremoved lines that a near rule matches go when the non-blank line before or after them went by a rule
    of a box category, and lines that a menu rule matches go when they stand in a menu (_in_menu); round after
    round until no more go. `hits` is a pair of dicts remembering each line's near rule and menu rule."""
    near_hits, menu_hits = hits
    present = _present(norms, verdicts)
    last = len(present) - 1
    changed = False
    while True:
        found: list[tuple[int, Rule]] = []
        fresh: list[int] = []
        fresh_menu: list[int] = []
        for k, i in enumerate(present):
            if verdicts[i] is not None:
                continue
            if (k > 0 and _anchors(verdicts[present[k - 1]])) or (k < last and _anchors(verdicts[present[k + 1]])):
                pending, known = fresh, near_hits
            elif matcher.menu is not None and 0 < k < last and _in_menu(contents, norms, verdicts, present, k):
                pending, known = fresh_menu, menu_hits
            else:
                continue
            if i not in known:
                pending.append(i)
            elif known[i] is not None:
                found.append((i, known[i]))
        for pending, rules, known in ((fresh, matcher.near, near_hits), (fresh_menu, matcher.menu, menu_hits)):
            if pending:
                found += _near_matches(pending, norms, rules, known, timeout, skip, problems)
        if not found:
            return changed
        for i, rule in found:
            verdicts[i] = (rule.id, rule.category)
        changed = True


def _near_matches(lines, norms, rules: Matcher, known, timeout, skip: set[str], problems) -> list[tuple[int, Rule]]:
    """The lines (indexes) of `lines` that one of these near rules matches, with the rule; `known` remembers."""
    found = []
    texts = [norms[i] if _near_sized(norms[i]) else "" for i in lines]
    for i, text, keywords in zip(lines, texts, rules.lines_keywords(texts), strict=True):
        known[i] = None
        if not text:
            continue
        try:
            known[i] = rules.match_candidates(text, rules.rules_for(keywords), timeout, frozenset(skip))
        except RuleTimeout as exc:
            skip.add(exc.rule.id)
            problems.append(Problem(i + 1, exc.rule.id, f"regex timed out after {timeout}s; line kept"))
        if known[i] is not None:
            found.append((i, known[i]))
    return found


def _in_menu(contents, norms, verdicts: list[Verdict], present: list[int], k: int) -> bool:
    """Whether the k-th present line stands in a menu: the non-blank lines on both sides are menu-sized or
    removed (a line without a neighbour on one side is not in a menu)."""
    return all(verdicts[j] is not None or _menu_sized(contents[j], norms[j]) for j in (present[k - 1], present[k + 1]))


def _menu_sized(content: str, text: str) -> bool:
    return _fits(content, text, MENU_MAX_WORDS, MENU_MAX_CHARS)


def _present(norms, verdicts: list[Verdict]) -> list[int]:
    """Indexes of the non-blank lines the context passes see as neighbours (all but removed repeats)."""
    return [i for i, text in enumerate(norms) if text and not _is_context(verdicts[i])]


def _near_sized(text: str) -> bool:
    """Whether a normalised line is short enough for a near rule to take."""
    return len(text) <= NEAR_MAX_CHARS and text.count(" ") < NEAR_MAX_WORDS


def _anchors(verdict: Verdict) -> bool:
    """Whether a removed line lets a near rule take its neighbour: removed in a box category, not as a repeat."""
    return verdict is not None and verdict[0] != REPEAT_RULE and verdict[1] in SANDWICH_CATEGORIES


def _repeats(contents, norms, verdicts: list[Verdict]) -> bool:
    """An exact repeat of the previous kept non-blank line goes (duplicated captions, titles)."""
    changed = False
    previous = None
    for i, text in enumerate(norms):
        if not text or verdicts[i] is not None:
            continue
        line = contents[i].strip()
        if line == previous and _caption_sized(text):
            verdicts[i] = (REPEAT_RULE, REPEAT_CATEGORY)
            changed = True
        else:
            previous = line
    return changed


def _caption_sized(text: str) -> bool:
    """Long enough to be a repeated caption or title, not a repeated table cell or list item."""
    return text.count(" ") >= REPEAT_MIN_WORDS - 1 and sum(ch.isalpha() for ch in text) >= REPEAT_MIN_LETTERS


def touches(
    text: str, matcher: Matcher, timeout: float | None = DEFAULT_TIMEOUT, timed_out: set[str] | None = None
) -> bool:
    """Whether a line rule, or a block rule's start or end, matches this normalised line (a timeout counts).

    A line nothing touches can only go through the context pass; stripper.stream cuts long texts inside runs
    of such lines (see context_reach). A line rule that times out is added to `timed_out` and not run again,
    so that a pathological rule costs one timeout per stream, not one per line.
    """
    if len(text) > MAX_RULE_CHARS:
        return False  # decide() runs no rule on it either
    try:
        skip = frozenset(timed_out) if timed_out else frozenset()
        if matcher.match(text, timeout, skip) is not None:
            return True
        if matcher.near is not None and _near_sized(text) and matcher.near.match(text, timeout, skip) is not None:
            return True
        return any(b.start.search(text, timeout=timeout) or b.end.search(text, timeout=timeout) for b in matcher.blocks)
    except RuleTimeout as exc:
        if timed_out is not None:
            timed_out.add(exc.rule.id)
        return True
    except TimeoutError:
        return True


def context_reach(matcher: Matcher) -> int:
    """The most kept non-blank lines a block rule or the sandwich pass can reach across.

    A block ends within max_lines kept lines of its start and a sandwich is at most SANDWICH_MAX_RUN lines,
    so lines before and after a run of more kept lines than this are decided independently.
    """
    return max([SANDWICH_MAX_RUN, *(b.rule.max_lines for b in matcher.blocks)])


def _is_context(verdict: Verdict) -> bool:
    return verdict is not None and verdict[0] == REPEAT_RULE


def _category(verdict: Verdict) -> str | None:
    """The category of a line removed by a rule (not by the context pass)."""
    return verdict[1] if verdict is not None and verdict[0] not in (SANDWICH_RULE, REPEAT_RULE) else None


def _short(content: str, text: str) -> bool:
    return _fits(content, text, SANDWICH_MAX_WORDS, SANDWICH_MAX_CHARS)


def _fits(content: str, text: str, max_words: int, max_chars: int) -> bool:
    """Whether a line has at most max_words words (of its normalised text, without the list marker in front: the
    "+" of "+ Find Us in Print" is not a word) and max_chars characters (as written)."""
    return lead(text).count(" ") + 1 <= max_words and len(content.strip()) <= max_chars


def assemble(contents: Sequence[str], endings: Sequence[str], removed: Sequence[bool]) -> str:
    """Join kept lines; where removals leave several blank runs between two kept lines, keep one."""
    n = len(contents)
    blank = [not c.strip() for c in contents]
    kept = [i for i in range(n) if not blank[i] and not removed[i]]
    if not kept:
        return ""
    out: list[str] = []

    def emit(i: int) -> None:
        out.append(contents[i] + endings[i])

    def emit_blank(i: int) -> None:
        """A blank line kept where lines were removed; a bare "\n" right after a lone "\r" would merge with it
        into one "\r\n" line, so it is left out like the rest of the collapsed run."""
        if not (contents[i] == "" and endings[i] == "\n" and out and out[-1].endswith("\r")):
            emit(i)

    def gap(lo: int, hi: int, edge: str | None) -> None:
        """Blank lines of [lo, hi): all of them if nothing there was removed, else one run."""
        if not any(removed[lo:hi]):
            for i in range(lo, hi):
                emit(i)
            return
        if edge == "head":  # only blank lines the input itself started with
            i = lo
            while i < hi and blank[i]:
                emit(i)
                i += 1
            return
        if edge == "tail":  # only blank lines the input itself ended with
            i = hi
            while i > lo and blank[i - 1]:
                i -= 1
            for j in range(i, hi):
                emit_blank(j)
            return
        i = lo
        while i < hi and not blank[i]:
            i += 1
        while i < hi and blank[i]:
            emit_blank(i)
            i += 1

    gap(0, kept[0], "head")
    for a, b in itertools.pairwise(kept):
        emit(a)
        gap(a + 1, b, None)
    emit(kept[-1])
    gap(kept[-1] + 1, n, "tail")
    if endings[-1] == "" and out and removed[-1] and out[-1].endswith(("\n", "\r")):
        # The input had no final line break; neither does the output.
        last = out[-1]
        out[-1] = last[:-2] if last.endswith("\r\n") else last[:-1]
    return "".join(out)
