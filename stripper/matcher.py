"""The compiled form of a rule set: which rule, if any, removes a normalised line.

Most lines are article text containing none of the rules' keywords, so a line
is first scanned once for every keyword, and only the rules whose keyword it
contains are run. Exact-line rules are a hash lookup.
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


class RuleTimeout(Exception):
    """A rule's regex ran past its time limit on one line."""

    def __init__(self, rule: Rule):
        super().__init__(rule.id)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class LineRule:
    rule: Rule
    regex: regex.Pattern
    mode: str  # "phrase" (search), "start" (match), "line" (fullmatch on the core)
    max_words: int | None


@dataclass(frozen=True, slots=True)
class BlockRule:
    rule: Rule
    start: regex.Pattern
    end: regex.Pattern


class Matcher:
    """Every rule of a set, compiled, with a keyword index in front of the regexes."""

    def __init__(self, rules: Sequence[Rule]):
        self.line_rules: list[LineRule | None] = []  # None for exact-line rules
        self.rules: list[Rule] = []  # the rule behind each index of line_rules
        self.exact: dict[str, int] = {}
        self.blocks: list[BlockRule] = []
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
            if rule.kind == "lines":
                self.line_rules.append(None)
                for line in rule.lines:
                    self.exact.setdefault(core(normalise(line)), index)
                continue
            compiled = self._compile(rule)
            self.line_rules.append(compiled)
            keys = rule_keywords(rule)
            if keys is None:
                always.append(index)
            else:
                for key in keys:
                    keyword_rules.setdefault(key, set()).add(index)
        self.always = tuple(always)
        # A keyword found in a line implies every shorter keyword inside it is there too.
        self.keyword_rules = {
            key: tuple(sorted(set().union(*(ids for other, ids in keyword_rules.items() if other in key))))
            for key in keyword_rules
        }
        words = sorted(self.keyword_rules, key=lambda k: (-len(k), k))
        self.keyword_re = regex.compile("|".join(map(regex.escape, words))) if words else None

    @staticmethod
    def _compile(rule: Rule) -> LineRule:
        if rule.kind == "phrases":
            body = phrase_alternation(rule.phrases, whole_line=rule.match == "line")
        else:
            body = f"(?:{rule.pattern})"
        if rule.match == "start":
            body = _TRIM_CLASS + body
        guard = None if rule.match == "line" else rule.max_words
        return LineRule(rule, compile_regex(body, rule, rule.kind), rule.match, guard)

    def candidates(self, text: str) -> list[int]:
        """Indexes of the line rules that could match this normalised line, in load order."""
        found: set[int] = set(self.always)
        if self.keyword_re is not None:
            for key in self.keyword_re.findall(text, overlapped=True):
                found.update(self.keyword_rules[key])
        return sorted(found)

    def match(self, text: str, timeout: float | None = None, skip: frozenset[str] = frozenset()) -> Rule | None:
        """The first rule (in load order) that removes this normalised line, or None.

        Raises RuleTimeout when a rule's regex runs past `timeout` seconds.
        """
        if not text:
            return None
        trimmed = core(text)
        start = lead(text)
        exact = self.exact.get(trimmed)
        words = text.count(" ") + 1
        for index in self.candidates(text):
            if exact is not None and exact < index:
                break
            compiled = self.line_rules[index]
            if compiled.rule.id in skip or (compiled.max_words is not None and words > compiled.max_words):
                continue
            try:
                if compiled.mode == "line":
                    hit = compiled.regex.fullmatch(trimmed, timeout=timeout)
                elif compiled.mode == "start":
                    hit = compiled.regex.match(start, timeout=timeout)
                else:
                    hit = compiled.regex.search(start, timeout=timeout)
            except TimeoutError:
                raise RuleTimeout(compiled.rule) from None
            if hit:
                return compiled.rule
        return None if exact is None else self.rules[exact]


def rule_keywords(rule: Rule) -> tuple[str, ...] | None:
    """Literal words, one of which is in every line the rule matches; None if unknown."""
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
