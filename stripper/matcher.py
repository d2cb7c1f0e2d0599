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

import re as _re
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from stripper.normalize import TRIM, core, lead, normalise
from stripper.rules import Rule, compile_regex, phrase_alternation

_TRIM_CLASS = "[" + regex.escape(TRIM) + "]*"
_WORD = regex.compile(r"\w+")
MIN_KEYWORD = 3
# A document up to this size is scanned with one `in` per keyword, which needs no compiled scanner;
# longer ones pay once per process for compiling all keywords into one regex.
SMALL_TEXT = 1 << 15


class RuleTimeout(Exception):
    """A rule's regex ran past its time limit on one line."""

    def __init__(self, rule: Rule):
        super().__init__(rule.id)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class LineRule:
    """A phrase or pattern rule as it is run: its regex source, how it applies and its word limit."""

    rule: Rule
    source: str
    mode: str  # "phrase" (search), "start" (match), "line" (fullmatch on the core)
    max_words: int | None


@dataclass(frozen=True, slots=True)
class BlockRule:
    rule: Rule
    start: regex.Pattern
    end: regex.Pattern


class Matcher:
    """Every rule of a set, with a keyword index in front of the regexes and a hash of exact lines."""

    def __init__(self, rules: Sequence[Rule]):
        self.line_rules: list[LineRule | None] = []  # None for exact-line rules
        self.rules: list[Rule] = []  # the rule behind each index of line_rules
        self.exact: dict[str, int] = {}
        self.blocks: list[BlockRule] = []
        self._compiled: list[regex.Pattern | None] = []
        keyword_rules: dict[str, set[int]] = {}
        always: list[int] = []
        for rule in rules:
            if rule.kind == "block":
                self.blocks.append(
                    BlockRule(rule, compile_regex(rule.start, rule, "start"), compile_regex(rule.end, rule, "end"))
                )
                continue
            index = len(self.line_rules)
            self.rules.append(rule)
            self._compiled.append(None)
            if rule.kind == "lines":
                self.line_rules.append(None)
                for line in rule.lines:
                    self.exact.setdefault(core(normalise(line)), index)
                continue
            self.line_rules.append(_line_rule(rule))
            keys = rule_keywords(rule)
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
        self._prefixes = _keyword_prefixes(self.keyword_rules)
        self._scanner: _re.Pattern | None = None

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
            if spec.mode != "line" and start is None:
                start = lead(text)
            if self._run(index, spec, trimmed if spec.mode == "line" else start, timeout):
                return spec.rule
        return None if exact is None else self.rules[exact]

    def candidates(self, text: str) -> list[int]:
        """Indexes of the line rules that could match this normalised line, in load order."""
        return self.rules_for(self.keywords_in(text))

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
        if len(text) <= SMALL_TEXT and self._scanner is None:
            return {key for key in self.keywords if key in text}
        scanner = self.scanner()
        found: set[str] = set()
        if scanner is None:
            return found
        hit = scanner.search(text)
        while hit is not None:
            found.update(self._prefixes[hit.group()])
            hit = scanner.search(text, hit.start() + 1)
        return found

    def lines_keywords(self, texts: Sequence[str]) -> list[set[str] | None]:
        """keywords_in for every line of a document, with one pass over the whole text (None: no keyword)."""
        whole = "\n".join(texts)
        if len(whole) <= SMALL_TEXT and self._scanner is None:
            present = [key for key in self.keywords if key in whole]
            if not present:
                return [None] * len(texts)
            return [{key for key in present if key in text} or None for text in texts]
        out: list[set[str] | None] = [None] * len(texts)
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

    def scanner(self) -> _re.Pattern | None:
        """One regex finding the longest keyword at a position: a trie of all keywords, compiled once."""
        if self._scanner is None and self.keywords:
            self._scanner = _re.compile(_trie_regex(self.keywords))
        return self._scanner

    def _run(self, index: int, spec: LineRule, subject: str, timeout: float | None) -> bool:
        compiled = self._compiled[index]
        if compiled is None:
            compiled = self._compiled[index] = compile_regex(spec.source, spec.rule, spec.rule.kind)
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
        """match() without keywords or hash: every rule, in load order, on the line. Slow; the tests' yardstick."""
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
            if self._run(index, spec, trimmed if spec.mode == "line" else start, timeout):
                return rule
        return None


def _line_rule(rule: Rule) -> LineRule:
    """The regex source and mode of a phrase or pattern rule (compiled later, when a line first needs it)."""
    if rule.kind == "phrases":
        body = phrase_alternation(rule.phrases, whole_line=rule.match == "line")
    else:
        body = f"(?:{rule.pattern})"
    if rule.match == "start":
        body = _TRIM_CLASS + body
    guard = None if rule.match == "line" else rule.max_words
    return LineRule(rule, body, rule.match, guard)


def _keyword_prefixes(keyword_rules: dict[str, object]) -> dict[str, tuple[str, ...]]:
    """For each keyword, itself and every shorter keyword it starts with (found at the same position)."""
    return {
        key: tuple(key[:n] for n in range(1, len(key) + 1) if key[:n] in keyword_rules) for key in keyword_rules
    }


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


def rule_keywords(rule: Rule) -> tuple[str, ...] | None:
    """Literal strings, one of which is in every normalised line the rule matches; None if unknown."""
    if rule.kind == "phrases":
        keys = []
        for phrase in rule.phrases:
            words = _WORD.findall(normalise(phrase))
            if not words or max(map(len, words)) < MIN_KEYWORD:
                return None
            keys.append(max(words, key=len))
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
    if not best or min(map(len, best)) < MIN_KEYWORD:
        return None
    return tuple(sorted({normalise(k) for k in best}))


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
