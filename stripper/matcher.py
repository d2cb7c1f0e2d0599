"""The compiled form of a rule set: which rule, if any, removes a normalised line.

Most lines are article text containing none of the rules' keywords, so the
rules are not all run on every line. Every line rule has literal keywords (from
its phrases, declared in its file, or derived from its regex), one of which is
in every line it matches; a line is scanned once for all keywords and only the
rules of the keywords it contains are run. Exact-line rules are one hash
lookup however many there are. Regexes are compiled on first use, so a short
document pays only for the rules its lines could meet.

`Matcher.reference` runs every rule on the line in load order, without any of
this; the fast path must agree with it on every line (tests check it does).
"""

from __future__ import annotations

import pickle
import re as _re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import regex

try:  # the optional `fast` extra: a C Aho-Corasick automaton scans for all keywords several times faster
    import ahocorasick
except ImportError:  # pragma: no cover - depends on the install
    ahocorasick = None

from stripper.normalize import TRIM, core, lead, normalise
from stripper.rules import Rule, compile_regex, phrase_alternation

_TRIM_CLASS = "[" + regex.escape(TRIM) + "]*"
_WORD = regex.compile(r"\w+")
MIN_KEYWORD = 2  # shorter keywords are in nearly every line; a symbol such as "©" or "€" is rare enough alone
# Up to this many characters (in all) are scanned with one `in` per keyword, which needs no compiled scanner;
# past that the process pays once for compiling all keywords into one regex, which scans much faster.
SMALL_TEXT = 1 << 15


class RuleTimeout(Exception):
    """A rule's regex ran past its time limit on one line."""

    def __init__(self, rule: Rule):
        super().__init__(rule.id)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class LineRule:
    """A phrase or pattern rule as it is run: how it applies, its word limit, space bound and cheap pre-checks."""

    rule: Rule
    mode: str  # "phrase" (search), "start" (match), "line" (fullmatch on the core)
    max_words: int | None
    max_spaces: int | None  # every match spans the subject and holds at most this many spaces
    starts: tuple[str, ...] | None = None  # every match begins at the subject's start with one of these
    starts_len: int = 0  # the longest of them
    phrases: frozenset[str] | None = None  # a whole-line phrase rule: its phrases, trimmed like the core


@dataclass(frozen=True, slots=True)
class BlockRule:
    rule: Rule
    start: regex.Pattern
    end: regex.Pattern
    # A plain regex of literals one of which is in every line the start regex matches (None: none known).
    start_keywords: _re.Pattern | None


class Matcher:
    """Every rule of a set, with a keyword index in front of the regexes and a hash of exact lines."""

    def __init__(self, rules: Sequence[Rule], *, near: bool = False):
        # Near rules only remove a line next to one already removed (engine._near): they get a matcher of their
        # own, built with near=True, which takes the rules it is given as they are.
        # Menu rules (near rules with menu = true) also remove a line that stands in a run of short lines
        # (engine._near): they get a second matcher of their own.
        self.near: Matcher | None = None
        self.menu: Matcher | None = None
        if not near:
            near_rules = [r for r in rules if r.near]
            menu_rules = [r for r in near_rules if r.menu]
            self.near = Matcher(near_rules, near=True) if near_rules else None
            self.menu = Matcher(menu_rules, near=True) if menu_rules else None
            rules = [r for r in rules if not r.near]
        self.near_ids = frozenset(r.id for r in self.near.rules) if self.near is not None else frozenset()
        self.line_rules: list[LineRule | None] = []  # None for exact-line rules
        self.rules: list[Rule] = []  # the rule behind each index of line_rules
        self.exact: dict[str, int] = {}
        self._reference: dict[int, regex.Pattern] = {}  # reference(): each rule's regex, compiled once
        self.blocks: list[BlockRule] = []
        self._compiled: list[regex.Pattern | None] = []
        keyword_rules: dict[str, set[int]] = {}
        always: list[int] = []
        for rule in rules:
            if rule.kind == "block":
                start, end = _compile(rule, "start"), _compile(rule, "end")
                self.blocks.append(BlockRule(rule, start, end, _literal_scanner(derive_keywords(rule.start))))
                continue
            index = len(self.line_rules)
            self.rules.append(rule)
            self._compiled.append(None)
            if rule.kind == "lines":
                self.line_rules.append(None)
                for line in rule.lines:
                    self.exact.setdefault(core(normalise(line)), index)
                continue
            keys, spaces, starts = analyse(rule)
            self.line_rules.append(_line_rule(rule, spaces, starts))
            if keys is None:
                always.append(index)
            else:
                for key in keys:
                    keyword_rules.setdefault(key, set()).add(index)
        self.always = frozenset(always)
        self._always = sorted(always)
        self.keyword_rules = {key: frozenset(ids) for key, ids in keyword_rules.items()}
        # Longest first: the scanner reports the longest keyword at a position; _prefixes adds the shorter ones.
        self.keywords = tuple(sorted(self.keyword_rules, key=lambda k: (-len(k), k)))
        self._prefixes: dict[str, tuple[str, ...]] = {}  # filled with the scanner
        self._scanner: _re.Pattern | None = None
        self._automaton = None  # an ahocorasick.Automaton of the keywords, when the extra is installed
        self.use_automaton = ahocorasick is not None
        self._unscanned = SMALL_TEXT  # characters still to check with plain `in` before compiling the scanner

    # --- the fast path -------------------------------------------------------------------------------------

    def match(self, text: str, timeout: float | None = None, skip: frozenset[str] = frozenset()) -> Rule | None:
        """The first rule (in load order) that removes this normalised line, or None.

        Raises RuleTimeout when a rule's regex runs past `timeout` seconds.
        """
        if not text:
            return None
        return self.match_candidates(text, self.candidates(text), timeout, skip)

    def match_candidates(
        self, text: str, candidates: Sequence[int], timeout: float | None = None, skip: frozenset[str] = frozenset()
    ) -> Rule | None:
        """Like match, given the line rules (indexes, in load order) that the line's keywords let through."""
        trimmed = core(text)
        exact = self.exact.get(trimmed)
        words = text.count(" ") + 1
        start = None
        for index in candidates:
            if exact is not None and exact < index:
                break
            spec = self.line_rules[index]
            if (spec.max_words is not None and words > spec.max_words) or spec.rule.id in skip:
                continue
            if spec.mode == "line":
                subject = trimmed
            else:
                subject = start = lead(text) if start is None else start
            if self._run(index, spec, subject, timeout):
                return spec.rule
        return None if exact is None else self.rules[exact]

    def candidates(self, text: str) -> list[int]:
        """Indexes of the line rules that could match this normalised line, in load order."""
        return self.rules_for(self.lines_keywords((text,))[0])

    def rules_for(self, keywords: set[str] | None) -> list[int]:
        """The line rules (indexes, in load order) a line with these keywords must be checked against."""
        if not keywords:
            return self._always
        found = set(self.always)
        for key in keywords:
            found.update(self.keyword_rules[key])
        return sorted(found)

    def keywords_in(self, text: str) -> set[str]:
        """Every keyword contained in the text (overlapping ones included)."""
        return self.lines_keywords((text,))[0] or set()

    def lines_keywords(self, texts: Sequence[str]) -> list[set[str] | None]:
        """keywords_in for every line of a document, with one pass over the whole text (None: no keyword)."""
        whole = "\n".join(texts)
        if self._scanner is None and self._automaton is None and len(whole) <= self._unscanned:
            self._unscanned -= len(whole) + 1
            present = [key for key in self.keywords if key in whole]
            if not present:
                return [None] * len(texts)
            return [{key for key in present if key in text} or None for text in texts]
        out: list[set[str] | None] = [None] * len(texts)
        automaton = self.automaton()
        if automaton is not None:
            return self._automaton_lines(automaton, whole, texts, out)
        scanner = self.scanner()
        if scanner is None:
            return out
        line, line_end = 0, len(texts[0]) if texts else 0
        hit = scanner.search(whole)
        while hit is not None:
            at = hit.start()
            while at > line_end:  # keywords never contain "\n", so a hit lies within one line
                line += 1
                line_end += len(texts[line]) + 1
            found = out[line]
            if found is None:
                found = out[line] = set()
            found.update(self._prefixes[hit.group()])
            hit = scanner.search(whole, at + 1)
        return out

    @staticmethod
    def _automaton_lines(automaton, whole: str, texts: Sequence[str], out: list[set[str] | None]):
        """lines_keywords with the automaton: it reports every occurrence (overlapping ones too) by end."""
        line, line_end = 0, len(texts[0]) if texts else 0
        for end, key in automaton.iter(whole):
            while end >= line_end:  # keywords never contain "\n": one ends on the line it starts on
                line += 1
                line_end += len(texts[line]) + 1
            found = out[line]
            if found is None:
                out[line] = {key}
            else:
                found.add(key)
        return out

    def automaton(self):
        """The keywords as an Aho-Corasick automaton (None without the `fast` extra, or with no keywords)."""
        if self._automaton is None and self.use_automaton and self.keywords:
            automaton = ahocorasick.Automaton()
            for key in self.keywords:
                automaton.add_word(key, key)
            automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def scanner(self) -> _re.Pattern | None:
        """One regex finding the longest keyword at a position: a trie of all keywords, compiled once."""
        if self._scanner is None and self.keywords:
            self._prefixes = _keyword_prefixes(self.keyword_rules)
            self._scanner = _re.compile(_trie_regex(self.keywords))
        return self._scanner

    def _run(self, index: int, spec: LineRule, subject: str, timeout: float | None) -> bool:
        """Whether the rule's regex matches the line (its normalised core, or the line without list markers).

        A regex whose every match spans the whole subject, and can hold at most n spaces, cannot match a
        subject with more: such lines are skipped without running it (same answer, no regex call). So is a
        subject that does not begin with any of the literals every match begins with (`starts`), and a
        whole-line phrase rule is a set lookup. Both shortcuts hold only for ASCII text (case-insensitive
        matching pairs a few non-ASCII letters with ASCII ones, such as the Kelvin sign with "k"), so a
        subject whose head is not ASCII still runs the regex.
        """
        if spec.max_spaces is not None and subject.count(" ") > spec.max_spaces:
            return False
        if spec.starts is not None:
            head = subject.lstrip(TRIM) if spec.mode == "start" else subject
            if head[: spec.starts_len].isascii() and not head.startswith(spec.starts):
                return False
        if spec.phrases is not None and subject.isascii():
            return subject in spec.phrases
        compiled = self._compiled[index]
        if compiled is None:
            compiled = self._compiled[index] = _compile(spec.rule, "line")
        try:
            if spec.mode == "line":
                return compiled.fullmatch(subject, timeout=timeout) is not None
            if spec.mode == "start":
                return compiled.match(subject, timeout=timeout) is not None
            return compiled.search(subject, timeout=timeout) is not None
        except TimeoutError:
            raise RuleTimeout(spec.rule) from None

    # --- the straightforward path ----------------------------------------------------------------------------

    def reference(self, text: str, timeout: float | None = None, skip: frozenset[str] = frozenset()) -> Rule | None:
        """match() without keywords, hash or space bounds: every rule, in load order, on the line.

        Slow; the yardstick the tests hold the fast path to.
        """
        if not text:
            return None
        trimmed, start, words = core(text), lead(text), text.count(" ") + 1
        for index, spec in enumerate(self.line_rules):
            rule = self.rules[index]
            if spec is None:
                if trimmed in {core(normalise(line)) for line in rule.lines}:
                    return rule
                continue
            if (spec.max_words is not None and words > spec.max_words) or rule.id in skip:
                continue
            # Compiled once per matcher: the regex module's own cache holds 500 patterns, fewer than the default
            # rules, and recompiling every rule for every line made the tests that use this take hours.
            compiled = self._reference.get(index)
            if compiled is None:
                compiled = self._reference[index] = compile_regex(line_source(rule), rule, rule.kind)
            try:
                if spec.mode == "line":
                    hit = compiled.fullmatch(trimmed, timeout=timeout)
                elif spec.mode == "start":
                    hit = compiled.match(start, timeout=timeout)
                else:
                    hit = compiled.search(start, timeout=timeout)
            except TimeoutError:
                raise RuleTimeout(rule) from None
            if hit:
                return rule
        return None


Analysis = tuple[tuple[str, ...] | None, int | None, tuple[str, ...] | None]
# What the matcher derives from a rule (keywords, space bound, start literals), by rule: the rules cache stores it.
_ANALYSED: dict[Rule, Analysis] = {}


def analyse(rule: Rule) -> Analysis:
    """A phrase or pattern rule's keywords (None: none known), space bound (see whole_match_spaces) and the
    literals one of which begins every match (see start_literals)."""
    known = _ANALYSED.get(rule)
    if known is None:
        known = _ANALYSED[rule] = (
            rule_keywords(rule),
            whole_match_spaces(line_source(rule), anchored=rule.match == "line"),
            rule_starts(rule),
        )
    return known


# Compiled regexes from the rules cache, pickled, by (rule, "line" | "start" | "end"): the regex module pickles
# a pattern with its compiled code, so loading one skips its (pure Python) parser, milliseconds per regex.
_PICKLED: dict[tuple[Rule, str], bytes] = {}


def remember(rule: Rule, analysis: Analysis | None, compiled: dict[str, bytes]) -> None:
    """Take an analysis and compiled regexes from the rules cache instead of deriving them again."""
    if analysis is not None:
        _ANALYSED[rule] = analysis
    for what, blob in compiled.items():
        _PICKLED[rule, what] = blob


def pickled_regexes(rule: Rule) -> dict[str, bytes]:
    """The compiled regexes of a rule, pickled for the rules cache."""
    if rule.kind == "block":
        sources = {"start": rule.start, "end": rule.end}
    elif rule.kind in ("phrases", "pattern"):
        sources = {"line": line_source(rule)}
    else:
        return {}
    return {
        what: pickle.dumps(compile_regex(source, rule, what), protocol=pickle.HIGHEST_PROTOCOL)
        for what, source in sources.items()
    }


def _compile(rule: Rule, what: str) -> regex.Pattern:
    """A rule's regex ("line", or a block's "start" or "end"), from the rules cache if it is there."""
    blob = _PICKLED.get((rule, what))
    if blob is not None:
        try:
            compiled = pickle.loads(blob)
            if isinstance(compiled, regex.Pattern):
                return compiled
        except Exception:  # a cache from an incompatible build: compile afresh
            pass
    if what == "line":
        return compile_regex(line_source(rule), rule, rule.kind)
    return compile_regex(rule.start if what == "start" else rule.end, rule, what)


def _line_rule(rule: Rule, spaces: int | None, starts: tuple[str, ...] | None) -> LineRule:
    """How a phrase or pattern rule applies (its regex is built and compiled later, when a line first needs it)."""
    guard = None if rule.match == "line" else rule.max_words
    phrases = None
    if rule.kind == "phrases" and rule.match == "line":
        phrases = frozenset(p for p in (core(normalise(p)) for p in rule.phrases) if p)
        if not all(map(_ascii_safe, phrases)):
            phrases = None
    length = max(map(len, starts)) if starts else 0
    return LineRule(rule, rule.match, guard, spaces, starts, length, phrases)


def _ascii_safe(text: str) -> bool:
    """Whether case-insensitive matching pairs this text with an ASCII text only if they are equal.

    True when it holds no ASCII capital and no non-ASCII character with an ASCII case form ("é" is fine;
    the Kelvin sign, which matches "k", and the long s, which matches "s", are not).
    """
    for ch in text:
        if ch.isascii():
            if ch.isupper():
                return False
        elif any(c.isascii() for form in (ch.lower(), ch.upper(), ch.casefold(), ch.title()) for c in form):
            return False
    return True


def line_source(rule: Rule) -> str:
    """The regex a phrase or pattern rule runs on a line."""
    if rule.kind == "phrases":
        body = phrase_alternation(rule.phrases, whole_line=rule.match == "line")
    else:
        body = f"(?:{rule.pattern})"
    if rule.match == "start":
        body = _TRIM_CLASS + body
    return body


def _keyword_prefixes(keyword_rules: dict[str, object]) -> dict[str, tuple[str, ...]]:
    """For each keyword, itself and every shorter keyword it starts with (found at the same position)."""
    return {key: tuple(key[:n] for n in range(1, len(key) + 1) if key[:n] in keyword_rules) for key in keyword_rules}


def _literal_scanner(literals: Sequence[str] | None) -> _re.Pattern | None:
    """A plain regex finding any of these literals, longest first (None for none)."""
    if not literals:
        return None
    return _re.compile("|".join(map(_re.escape, sorted(literals, key=len, reverse=True))))


def _trie_regex(words: Sequence[str]) -> str:
    """An alternation of literal words factored by common prefixes, preferring the longest match.

    The stdlib engine tries a plain alternation of two thousand words one by one at every position;
    a trie tries one branch per character.
    """
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [_re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return emit(root)


def rule_starts(rule: Rule) -> tuple[str, ...] | None:
    """Literals one of which begins every match of a pattern rule, at the start of the subject; None if unknown.

    Line rules match the whole subject (fullmatch); start rules match after leading TRIM characters, so their
    literals must not begin with one; phrase-mode (search) rules qualify only when every branch starts with ^.
    """
    if rule.kind != "pattern" or not rule.pattern:
        return None
    try:
        parsed = list(_re._parser.parse(rule.pattern, _re.IGNORECASE))
    except Exception:  # regex-module syntax
        return None
    if rule.match == "phrase" and not _starts_anchored(parsed):
        return None
    starts = start_literals(parsed)
    if not starts or not all(map(_ascii_safe, starts)):
        return None
    if rule.match == "start" and any(s[0] in TRIM for s in starts):
        return None
    return tuple(sorted(starts))


_MAX_STARTS = 400


def start_literals(seq) -> set[str] | None:
    """Literals (ASCII lowercased) one of which begins every match of the parsed sequence; None if unknown or empty.

    Zero-width items (anchors, look-arounds) are passed over; a group or branch is read together with what
    follows it, an optional item as both present and absent, a small character class as its characters.
    """
    constants = _re._constants
    seq = list(seq)
    for i, (op, arg) in enumerate(seq):
        rest = seq[i + 1 :]
        if op in (constants.AT, constants.ASSERT, constants.ASSERT_NOT):
            continue
        if op is constants.LITERAL:
            run = []
            for op2, arg2 in seq[i:]:
                if op2 is not constants.LITERAL:
                    break
                run.append(chr(arg2))
            return {_ascii_lower("".join(run))}
        if op is constants.IN:
            return _class_chars(arg, constants)
        if op is constants.SUBPATTERN:
            return start_literals(list(arg[-1]) + rest)
        if op is constants.ATOMIC_GROUP:
            return start_literals(list(arg) + rest)
        if op is constants.BRANCH:
            return _union([start_literals(list(branch) + rest) for branch in arg[1]])
        if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
            low, _high, inner = arg
            present = start_literals(list(inner) + rest)
            return present if low >= 1 else _union([present, start_literals(rest)])
        return None
    return None  # the sequence can end here: a match may be empty


def _ascii_lower(text: str) -> str:
    """ASCII capitals lowered (the regex ignores case); other characters as written, for _ascii_safe to judge."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def _union(sets: list[set[str] | None]) -> set[str] | None:
    if any(s is None for s in sets):
        return None
    out = set().union(*sets)
    return out if len(out) <= _MAX_STARTS else None


def _class_chars(items, constants) -> set[str] | None:
    """The characters of a small positive character class (digits as ASCII digits); None if not small."""
    out: set[str] = set()
    for op, arg in items:
        if op is constants.LITERAL:
            out.add(_ascii_lower(chr(arg)))
        elif op is constants.RANGE and arg[1] - arg[0] <= 64:
            out.update(_ascii_lower(chr(c)) for c in range(arg[0], arg[1] + 1))
        elif op is constants.CATEGORY and arg is constants.CATEGORY_DIGIT:
            out.update("0123456789")  # other digits are not ASCII: such a subject runs the regex anyway
        else:
            return None
    return out


def _starts_anchored(seq) -> bool:
    """Every branch of the parsed regex starts with ^ (looking through wrapping groups)."""
    constants = _re._constants
    while len(seq) >= 1 and seq[0][0] is constants.SUBPATTERN and len(seq) == 1:
        seq = list(seq[0][1][-1])
    if len(seq) == 1 and seq[0][0] is constants.BRANCH:
        return all(_starts_anchored(list(branch)) for branch in seq[0][1][1])
    return (
        bool(seq)
        and seq[0][0] is constants.AT
        and seq[0][1]
        in (
            constants.AT_BEGINNING,
            constants.AT_BEGINNING_STRING,
        )
    )


def whole_match_spaces(source: str, anchored: bool) -> int | None:
    """The most spaces a match of this regex can hold, if every match spans the whole subject; else None.

    A match spans the subject when it is a fullmatch (`anchored`), or when every branch of the regex starts
    with ^ and ends with $ (\\Z). Normalised lines hold no whitespace but single spaces, so a line with more
    spaces than this cannot match. None (no bound) when the stdlib parser does not read the regex.
    """
    constants = _re._constants
    try:
        parsed = list(_re._parser.parse(source, _re.IGNORECASE))
    except Exception:  # regex-module syntax
        return None
    if not anchored and not _anchored(parsed):
        return None
    return _spaces(parsed, constants)


def _anchored(seq) -> bool:
    """Every branch of the parsed regex runs from ^ to $ (looking through one wrapping group)."""
    constants = _re._constants
    while len(seq) == 1 and seq[0][0] is constants.SUBPATTERN:
        seq = list(seq[0][1][-1])
    if len(seq) == 1 and seq[0][0] is constants.BRANCH:
        return all(_anchored(list(branch)) for branch in seq[0][1][1])
    starts = {constants.AT_BEGINNING, constants.AT_BEGINNING_STRING}
    ends = {constants.AT_END, constants.AT_END_STRING}
    return (
        len(seq) >= 2
        and seq[0][0] is constants.AT
        and seq[0][1] in starts
        and seq[-1][0] is constants.AT
        and seq[-1][1] in ends
    )


def _spaces(seq, constants) -> int | None:
    """Upper bound on the spaces one match of the parsed sequence consumes; None if unbounded or unknown."""
    total = 0
    for op, arg in seq:
        if op is constants.LITERAL:
            count = 1 if arg == 32 else 0
        elif op is constants.NOT_LITERAL:
            count = 0 if arg == 32 else 1
        elif op is constants.ANY:
            count = 1
        elif op is constants.IN:
            count = 1 if _set_has_space(arg, constants) else 0
        elif op in (constants.AT, constants.ASSERT, constants.ASSERT_NOT):
            count = 0
        elif op is constants.SUBPATTERN:
            count = _spaces(arg[-1], constants)
        elif op is constants.ATOMIC_GROUP:
            count = _spaces(arg, constants)
        elif op is constants.BRANCH:
            options = [_spaces(branch, constants) for branch in arg[1]]
            count = None if None in options else max(options)
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
            _low, high, inner_seq = arg
            inner = _spaces(inner_seq, constants)
            if inner is None or (inner and high >= constants.MAXREPEAT):
                return None
            count = inner * high
        else:  # back-references, conditionals: no bound
            return None
        if count is None:
            return None
        total += count
    return total


def _set_has_space(items, constants) -> bool:
    """Whether a character class may match a space (erring on yes)."""
    for op, arg in items:
        if op is constants.NEGATE:
            return True
        if op is constants.LITERAL and arg == 32:
            return True
        if op is constants.RANGE and arg[0] <= 32 <= arg[1]:
            return True
        if op is constants.CATEGORY and arg not in (
            constants.CATEGORY_WORD,
            constants.CATEGORY_DIGIT,
            constants.CATEGORY_NOT_SPACE,
        ):
            return True
    return False


def rule_keywords(rule: Rule) -> tuple[str, ...] | None:
    """Literal strings, one of which is in every normalised line the rule matches; None if unknown."""
    if rule.kind == "phrases":
        keys = []
        for phrase in rule.phrases:
            norm = normalise(phrase)
            words = _WORD.findall(norm)
            key = max(words, key=len) if words else norm
            if not _usable(key):
                return None
            keys.append(key)
        return tuple(sorted(set(keys)))
    if rule.kind == "pattern":
        if rule.keywords:
            return rule.keywords
        return derive_keywords(rule.pattern)
    return None


def derive_keywords(pattern: str) -> tuple[str, ...] | None:
    """Required literals of a regex (one of the returned strings is in every match)."""
    try:
        parsed = _re._parser.parse(pattern, _re.IGNORECASE)
    except Exception:  # regex-module syntax the stdlib parser does not know
        return None
    best = _required(list(parsed))
    if not best:
        return None
    keys = {normalise(k) for k in best}
    if not all(map(_usable, keys)):
        return None
    return tuple(sorted(keys))


def _usable(key: str) -> bool:
    """Long enough to be a useful keyword (not found in most lines), and not emptied by normalisation."""
    return len(key) >= MIN_KEYWORD or (len(key) == 1 and unicodedata.category(key).startswith("S"))


def _required(seq) -> list[str] | None:
    """Alternatives, one of which must appear in any match of the parsed sequence."""
    constants = _re._constants
    candidates: list[list[str]] = []
    run: list[str] = []

    def close_run():
        if run:
            candidates.append(["".join(run)])
            run.clear()

    for op, arg in seq:
        if op is constants.LITERAL:
            run.append(chr(arg))
            continue
        close_run()
        if op is constants.SUBPATTERN:
            inner = _required(list(arg[-1]))
            if inner:
                candidates.append(inner)
        elif op is constants.BRANCH:
            options = [_required(list(branch)) for branch in arg[1]]
            if all(options):
                candidates.append([word for option in options for word in option])
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
            low, _high, inner_seq = arg
            if low >= 1:
                inner = _required(list(inner_seq))
                if inner:
                    candidates.append(inner)
        elif op is constants.ATOMIC_GROUP:
            inner = _required(list(arg))
            if inner:
                candidates.append(inner)
    close_run()
    if not candidates:
        return None
    return max(candidates, key=lambda options: min(len(o.strip()) for o in options))
