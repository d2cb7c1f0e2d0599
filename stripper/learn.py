"""Learn a site's boilerplate from a corpus: lines that repeat across many of its documents become exact-line rules.

Memory stays bounded in the corpus size because lines are counted as hashes in a count-min sketch of a fixed
size (pass 1); only lines whose sketch estimate reaches their group's threshold are then kept as text and
recounted exactly (pass 2), in a table of at most `max_candidates` entries. The sketch only overestimates, so
no line over the thresholds is missed while the table has room, and the recount makes every proposed count
exact: sketch errors cost time and table space, never a wrong rule.

Copies of one article (the same story under several URLs) would make its lines look like a template, so in
pass 2 a document counts only if its own lines (those under the threshold) differ from those of every document
counted before; a Bloom filter of fixed size remembers them.
"""

from __future__ import annotations

import math
import os
import re
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from hashlib import blake2b
from pathlib import Path

import regex

from stripper.corpus import Corpus, Document, Reading, documents, slug
from stripper.engine import rule_lines, rule_text, split_lines
from stripper.matcher import RuleTimeout
from stripper.normalize import core, normalise
from stripper.rules import Rule, RuleSet

LEARNED = "learned"  # the category of a learned rule no default rule matches, and every learned id's prefix
SOURCE = "<learned>"  # Rule.source of rules learned in memory (`stripper clean --learn`)
DEFAULT_MIN_DOCS = 5
DEFAULT_MIN_SHARE = 0.2
DEFAULT_MAX_MEMORY_MB = 256
DEPTH = 4  # rows of the sketch: a count is off by more than the bound with probability e**-DEPTH (1.8 %)
COUNTER = "I"  # 32-bit unsigned counters
ENTRY_BYTES = 512  # rough cost of one tracked candidate (its line, its words, the dict slot)
MAX_NAME = 40  # characters of a rule id's last part, made of the line's first words
MAX_COUNTEREXAMPLE_CHARS = 300  # a counterexample is shown to a reviewer: a sentence, not a page

_WORD = regex.compile(r"\w+")
# The words of every line read in pass 2 are looked up for counterexamples: the standard library's tokeniser
# is a little faster there, and candidates use the same one so that their words compare.
_TOKEN = re.compile(r"\w+")
_SURROGATE = regex.compile(r"[\ud800-\udfff]")
# Lines made only of these words and numbers are dates, times and counters: they repeat because articles
# share a day, not a template.
_DATE_WORDS = frozenset(
    """
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august
    september october november december mon tue wed thu fri sat sun monday tuesday wednesday thursday friday
    saturday sunday januar februar märz maerz mai juni juli oktober dezember montag dienstag mittwoch donnerstag
    freitag samstag sonntag janvier février mars avril
    juin juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi samedi dimanche
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre
    noviembre diciembre lunes martes miércoles jueves viernes sábado domingo gennaio febbraio aprile
    maggio giugno luglio agosto settembre ottobre dicembre lunedì martedì mercoledì giovedì venerdì sabato
    domenica janeiro fevereiro março maio junho julho setembro outubro novembro dezembro
    segunda terça quarta quinta sexta feira januari februari maart mei augustus
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    """.split()
)
# Words that go with a date or a time but say nothing alone ("Updated on 5 March at 10:45").
_DATE_FILLERS = frozenset(
    """
    am pm gmt utc cet cest est edt pst pdt bst ist of the on at st nd rd th updated published posted last uhr um
    den der vom stand aktualisiert veröffentlicht le h à mis jour publié de del il alle ore às om
    """.split()
)
_NUMERIC = regex.compile(r"\d+(?:st|nd|rd|th|h|er|e|º|ª)?")
# "By Jane Doe", "Von Max Muster und Erika Beispiel": an author line repeats because an author writes often.
_BYLINE = regex.compile(
    r"(?i:by|von|par|por|di|door|de|da|av|af|przez|от)\s+"
    r"\p{Lu}[\p{L}'.\-]*(?:\s*(?:,|&|(?i:and|und|et|y|e|en|i)\s|\s)\s*\p{Lu}[\p{L}'.\-]*){0,5}\.?"
)  # names must be capitalised: "By continuing to browse ..." is not a byline


@dataclass(frozen=True)
class Options:
    """Thresholds and memory of a learning run.

    A line is proposed for a group when it is in at least `min_docs` of its documents and in at least
    `min_share` of them. `sketch_width` counters per row (DEPTH rows of 4 bytes) and `max_candidates`
    tracked lines bound the memory; `from_memory` splits a budget between them.
    """

    min_docs: int = DEFAULT_MIN_DOCS
    min_share: float = DEFAULT_MIN_SHARE
    sketch_width: int = 0
    max_candidates: int = 0
    filter_bits: int = 0
    count_copies: bool = False  # True: every document counts, copies of one article too

    def __post_init__(self) -> None:
        if self.min_docs < 1:
            raise ValueError("min_docs must be at least 1")
        if not 0 <= self.min_share <= 1:
            raise ValueError("min_share must be between 0 and 1")
        budget = memory_split(DEFAULT_MAX_MEMORY_MB * 2**20)
        for name, default in zip(("sketch_width", "max_candidates", "filter_bits"), budget, strict=True):
            if not getattr(self, name):
                object.__setattr__(self, name, default)

    @classmethod
    def from_memory(cls, megabytes: float, **thresholds) -> Options:
        width, candidates, bits = memory_split(int(megabytes * 2**20))
        return cls(sketch_width=width, max_candidates=candidates, filter_bits=bits, **thresholds)

    def threshold(self, group_docs: int) -> int:
        """How many documents of a group of `group_docs` a line must be in."""
        return max(self.min_docs, math.ceil(self.min_share * group_docs - 1e-9))


def memory_split(budget: int) -> tuple[int, int, int]:
    """Counters a sketch row, candidate table entries and bits of the copy filter for a budget in bytes.

    Half the budget goes to the sketch, three eighths to the candidate table, one eighth to the copy filter.
    """
    width = max(1024, budget // 2 // (DEPTH * array(COUNTER).itemsize))
    return width, max(16, budget * 3 // 8 // ENTRY_BYTES), max(2**16, budget // 8 * 8)


def error_bound(width: int, pairs: int) -> float:
    """How far the sketch may overcount a line (with probability 1 - e**-DEPTH): e * pairs / width."""
    return math.e * pairs / width


class Sketch:
    """A count-min sketch with conservative update: DEPTH rows of `width` 32-bit counters, nothing else.

    `estimate` is never below the true count, and exceeds it by more than e * N / width (N: all additions)
    with probability at most e**-DEPTH.
    """

    def __init__(self, width: int):
        self.width = width
        self.table = array(COUNTER, [0]) * (DEPTH * width)  # no temporary copy of the whole table

    @property
    def nbytes(self) -> int:
        return len(self.table) * self.table.itemsize

    def add(self, h1: int, h2: int) -> None:
        """Count one more: raise only the counters at the current minimum (conservative update)."""
        t, w = self.table, self.width
        a, b, c, d = h1 % w, w + (h1 + h2) % w, 2 * w + (h1 + 2 * h2) % w, 3 * w + (h1 + 3 * h2) % w
        ta, tb, tc, td = t[a], t[b], t[c], t[d]
        low = min(ta, tb, tc, td) + 1
        if ta < low:
            t[a] = low
        if tb < low:
            t[b] = low
        if tc < low:
            t[c] = low
        if td < low:
            t[d] = low

    def estimate(self, h1: int, h2: int) -> int:
        t, w = self.table, self.width
        return min(t[h1 % w], t[w + (h1 + h2) % w], t[2 * w + (h1 + 2 * h2) % w], t[3 * w + (h1 + 3 * h2) % w])


class CopyFilter:
    """Which document contents were seen already: a Bloom filter of `bits` bits probed 4 times.

    It never forgets a content; it may take a new content for a seen one (probability about
    (1 - e**(-4n/bits))**4 after n documents), which only makes counts lower.
    """

    def __init__(self, bits: int):
        self.bits = bits
        self.array = bytearray((bits + 7) // 8)

    @property
    def nbytes(self) -> int:
        return len(self.array)

    def add(self, h1: int, h2: int) -> bool:
        """Remember a content; whether it was (probably) seen before."""
        seen = True
        for i in range(4):
            bit = (h1 + i * h2) % self.bits
            byte, mask = bit >> 3, 1 << (bit & 7)
            if not self.array[byte] & mask:
                seen = False
                self.array[byte] |= mask
        return seen


def content_hashes(group: str, keys: list[str]) -> tuple[int, int]:
    """Two 64-bit hashes of a document's own lines (in any order) within its group."""
    return line_hashes(group, "\n".join(sorted(keys)))


def group_hasher(group: str):
    """The hash state of a group's name, copied for each of its lines (cheaper than hashing the name again)."""
    return blake2b(group.encode("utf-8", "surrogatepass") + b"\x00", digest_size=16)


def line_hashes(group: str, key: str, hasher=None) -> tuple[int, int]:
    """Two 64-bit hashes of a normalised line within its group (blake2b: the same in every process and run)."""
    state = (hasher or group_hasher(group)).copy()
    state.update(key.encode("utf-8", "surrogatepass"))
    digest = state.digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little") | 1


def distinct_lines(text: str) -> dict[str, str]:
    """A document's distinct non-blank lines: the normalised line a rule compares, to the line as rules read it
    (Markdown links as their text, a hard-wrapped paragraph joined), which is what a learned exact-line rule
    holds. Undecodable bytes stay: such lines are reported, not learned."""
    seen: dict[str, str] = {}
    for line in rule_lines(split_lines(text)[0]):
        if not line or line.isspace():
            continue
        line = rule_text(line, undecoded=False)
        key = core(normalise(line))
        if key and key not in seen:
            seen[key] = line
    return seen


class Candidate:
    """A line whose sketch estimate reached its group's threshold: recounted exactly, with its text."""

    __slots__ = ("counterexample", "docs", "group", "key", "text", "words")

    def __init__(self, group: str, key: str, text: str):
        self.group, self.key, self.text = group, key, text.strip()
        self.docs = 0
        self.words = frozenset(_TOKEN.findall(key))
        self.counterexample: str | None = None


@dataclass(frozen=True)
class Proposal:
    """A line that repeats in enough of its group's documents, and the rule that removes it (unless skipped)."""

    group: str
    text: str
    key: str
    docs: int
    group_docs: int
    rule_id: str
    category: str = LEARNED
    also: str | None = None  # the default rule that matches the line too
    counterexample: str | None = None
    skipped: str | None = None  # why no rule is written although the line repeats

    @property
    def share(self) -> float:
        return self.docs / self.group_docs if self.group_docs else 0.0

    def rule(self) -> Rule:
        return Rule(
            id=self.rule_id,
            category=self.category,
            lang="mul",
            description=f"Line repeated in {self.docs} of {self.group_docs} documents of {_name(self.group)} "
            "(learned).",
            kind="lines",
            match="line",
            lines=(self.text,),
            examples=(self.text,),
            counterexamples=(self.counterexample,) if self.counterexample else (),
            source=SOURCE,
        )


@dataclass(frozen=True)
class Learned:
    """The outcome of a learning run: proposals (skipped ones included), what was read, what memory held."""

    proposals: tuple[Proposal, ...]
    documents: int
    groups: Mapping[str, int]
    options: Options
    pairs: int = 0  # (document, distinct line) pairs counted
    peak_candidates: int = 0
    untracked: int = 0  # line occurrences over a threshold that found the candidate table full
    sketch_bytes: int = 0
    copies: int = 0  # documents not counted because their own lines equal a counted document's
    reading: Reading | None = None  # what the first reading of the corpus skipped

    @property
    def accepted(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.skipped is None)

    def ruleset(self) -> RuleSet:
        """The learned rules, ready to add to a rule set (`stripper clean --learn`)."""
        return RuleSet(tuple(p.rule() for p in self.accepted))

    def toml(self) -> str:
        """The learned rules as a rule file (see rules/README.md), with counts and skipped lines as comments."""
        return render_toml(self)


class Learner:
    """The two passes of learning, over documents given twice in the same order."""

    def __init__(self, options: Options | None = None):
        self.options = options or Options()
        self.sketch = Sketch(self.options.sketch_width)
        self.groups: dict[str, int] = {}
        self.pairs = 0
        self.table: dict[int, Candidate] = {}
        self.anchors: dict[str, list[Candidate]] = {}  # a word -> candidates still without a counterexample
        self.peak_candidates = 0
        self.untracked = 0
        self.copies_seen = CopyFilter(self.options.filter_bits)
        self.copies = 0  # documents not counted in pass 2: copies of a document counted before

    def count(self, documents: Iterable[Document]) -> None:
        """Pass 1: count every distinct line of every document, as hashes, in the sketch."""
        sketch = self.sketch
        for document in documents:
            self.groups[document.group] = self.groups.get(document.group, 0) + 1
            hasher = group_hasher(document.group)
            for key in distinct_lines(document.text):
                sketch.add(*line_hashes(document.group, key, hasher))
                self.pairs += 1

    def recount(self, documents: Iterable[Document]) -> None:
        """Pass 2: count exactly the lines the sketch puts over their group's threshold, and find counterexamples."""
        thresholds = {group: self.options.threshold(n) for group, n in self.groups.items()}
        for document in documents:
            threshold = thresholds.get(document.group)
            if threshold is None:  # a document pass 1 did not see (the corpus changed in between)
                continue
            hasher = group_hasher(document.group)
            over, own = [], []
            for key, line in distinct_lines(document.text).items():
                h1, h2 = line_hashes(document.group, key, hasher)
                if self.sketch.estimate(h1, h2) >= threshold:
                    over.append((h1, key, line))
                else:
                    own.append(key)
                    if self.anchors:
                        words = _TOKEN.findall(key)
                        if not self.anchors.keys().isdisjoint(words):
                            self._counterexample(key, line, frozenset(words))
            # A copy of a document (the same article under another URL) is not more evidence: a document counts
            # only if its own lines, those under the threshold, differ from every document counted before.
            if not self.options.count_copies and self.copies_seen.add(*content_hashes(document.group, own)):
                self.copies += 1
                continue
            for h1, key, line in over:
                self._track(h1, document.group, key, line)

    def _track(self, h1: int, group: str, key: str, line: str) -> None:
        candidate = self.table.get(h1)
        if candidate is None:
            if len(self.table) >= self.options.max_candidates:
                self.untracked += 1
                return
            candidate = self.table[h1] = Candidate(group, key, line)
            self.peak_candidates = max(self.peak_candidates, len(self.table))
            anchor = _anchor(key)
            if anchor:
                self.anchors.setdefault(anchor, []).append(candidate)
        candidate.docs += 1

    def _counterexample(self, key: str, line: str, words: frozenset[str]) -> None:
        """A line with every word of a candidate that is not the candidate itself: it must stay."""
        text = line.strip()
        if len(text) > MAX_COUNTEREXAMPLE_CHARS or _SURROGATE.search(text):
            return
        for token in words:
            waiting = self.anchors.get(token)
            if not waiting:
                continue
            for candidate in [c for c in waiting if c.words <= words and c.key != key]:
                candidate.counterexample = text
                waiting.remove(candidate)
            if not waiting:
                del self.anchors[token]

    def result(self, reference: RuleSet | None = None) -> Learned:
        """The proposals: tracked lines whose exact count reaches the thresholds, checked by the guards."""
        proposals = []
        taken: set[str] = set()
        keys = {c.key for c in self.table.values() if c.docs >= self.options.threshold(self.groups[c.group])}
        ordered = sorted(self.table.values(), key=lambda c: (c.group, -c.docs, c.key))
        for candidate in ordered:
            group_docs = self.groups[candidate.group]
            if candidate.docs < self.options.threshold(group_docs):
                continue  # the sketch overcounted it
            counterexample = candidate.counterexample
            if counterexample is not None and core(normalise(counterexample)) in keys:
                counterexample = None  # it is a learned line itself
            also, category = _default_match(candidate.text, reference)
            proposals.append(
                Proposal(
                    group=candidate.group,
                    text=candidate.text,
                    key=candidate.key,
                    docs=candidate.docs,
                    group_docs=group_docs,
                    rule_id=_rule_id(candidate, taken),
                    category=category,
                    also=also,
                    counterexample=counterexample,
                    skipped=guard(candidate.text),
                )
            )
        return Learned(
            proposals=tuple(proposals),
            documents=sum(self.groups.values()),
            groups=dict(sorted(self.groups.items())),
            options=self.options,
            pairs=self.pairs,
            peak_candidates=self.peak_candidates,
            untracked=self.untracked,
            sketch_bytes=self.sketch.nbytes,
            copies=self.copies,
        )


def _anchor(key: str) -> str | None:
    """The word of a line that counterexamples are looked up by (its longest): one set operation a line."""
    words = _TOKEN.findall(key)
    return max(words, key=len) if words else None


def learn(
    documents: Callable[[], Iterable[Document]], options: Options | None = None, reference: RuleSet | None = None
) -> Learned:
    """Learn exact-line rules from a corpus; `documents()` is called twice and must give the same documents.

    `reference` (usually the default rules) gives a learned line the category of a rule that also matches it.
    """
    learner = Learner(options)
    learner.count(documents())
    learner.recount(documents())
    return learner.result(reference)


def learn_corpus(
    corpus: Corpus,
    options: Options | None = None,
    reference: RuleSet | None = None,
    warn: Callable[[str], None] | None = None,
    on_pass: Callable[[int], None] | None = None,
) -> Learned:
    """Learn from the documents of a corpus (read twice); `warn` hears what the first reading skips."""
    learner = Learner(options)
    reading = Reading(warn=warn)
    if on_pass is not None:
        on_pass(1)
    learner.count(documents(corpus, reading))
    if on_pass is not None:
        on_pass(2)
    learner.recount(documents(corpus, Reading()))
    return replace(learner.result(reference), reading=reading)


def guard(text: str) -> str | None:
    """Why a repeated line still is no rule: the line itself shows it repeats for a legitimate reason."""
    if _SURROGATE.search(text):
        return "undecodable bytes"
    words = _WORD.findall(normalise(text))
    if not words:
        return "no words"
    dated = [w for w in words if _NUMERIC.fullmatch(w) or w in _DATE_WORDS]
    if dated and all(w in _DATE_FILLERS for w in words if w not in dated):
        return "date or number"
    if _BYLINE.fullmatch(text):
        return "byline"
    return None


def _default_match(text: str, reference: RuleSet | None) -> tuple[str | None, str]:
    if reference is None or not len(reference):
        return None, LEARNED
    try:
        rule = reference.matcher.match(normalise(text))
    except RuleTimeout:
        rule = None
    return (rule.id, rule.category) if rule is not None else (None, LEARNED)


def _rule_id(candidate: Candidate, taken: set[str]) -> str:
    """learned.GROUP.FIRST-WORDS: readable and stable; a line without ASCII words is named by its hash."""
    name = ""
    for word in (slug(w) for w in _WORD.findall(candidate.key)[:6]):
        if word and name and len(name) + len(word) >= MAX_NAME:
            break
        name = f"{name}-{word}" if name and word else name or word
    name = name[:MAX_NAME].strip("-")
    if not name:
        name = blake2b(candidate.key.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    base = f"{LEARNED}.{slug(candidate.group) or 'corpus'}.{name}"
    rule_id, n = base, 1
    while rule_id in taken:
        n += 1
        rule_id = f"{base}-{n}"
    taken.add(rule_id)
    return rule_id


def write_rule_file(path: str | os.PathLike, learned: Learned) -> None:
    """Write the learned rules atomically, and only once the file loads and passes its own rule test.

    Raises InputError (the path cannot be written) or RuleError (a learned rule fails its own example or
    counterexample, which would be a bug).
    """
    from stripper.files import AtomicFile, InputError
    from stripper.rules import RuleError, load_file
    from stripper.ruletest import check_rules

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError.from_os(exc, path) from None
    target = AtomicFile(path)
    try:
        target.write(learned.toml().encode("utf-8"))
        target.file.flush()
        failures = check_rules(RuleSet(tuple(load_file(target.temp))))
        if failures:
            first = failures[0]
            raise RuleError(f"learned rules fail their own test ({first.reason}: {first.text!r})", str(path))
    except BaseException:
        target.discard()
        raise
    target.commit()


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, bar DEL, which TOML wants escaped too."""
    import json

    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def render_toml(learned: Learned) -> str:
    """The rule file: one `lines` rule per accepted proposal, grouped by site, counts as comments."""
    options = learned.options
    out = [
        f"# Rules learned by `stripper learn` from {_plural(learned.documents, 'document')} in "
        f"{_plural(len(learned.groups), 'group')}:",
        f"# lines in at least {options.min_docs} documents and {options.min_share:.0%} of their group's documents.",
        "# Each rule removes one exact line (compared normalised, like every rule). Review before use.",
        'lang = "mul"',
        "",
    ]
    by_group: dict[str, list[Proposal]] = {}
    for proposal in learned.proposals:
        by_group.setdefault(proposal.group, []).append(proposal)
    for group, proposals in by_group.items():
        accepted = [p for p in proposals if p.skipped is None]
        out.append(f"# {_name(group)}: {_plural(learned.groups[group], 'document')}, {_plural(len(accepted), 'rule')}")
        out.append("")
        for p in accepted:
            out.extend(_rule_lines(p))
        for p in proposals:
            if p.skipped is not None:
                out.append(f"# not learned ({p.skipped}): {_comment(p.text)} in {_count(p)}")
        if len(accepted) < len(proposals):
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _rule_lines(p: Proposal) -> list[str]:
    lines = ["[[rule]]", f"# in {_count(p)}"]
    if p.also:
        lines.append(f"# also matched by the default rule {p.also}")
    lines += [
        f"id = {toml_string(p.rule_id)}",
        f"category = {toml_string(p.category)}",
        f"description = {toml_string(p.rule().description)}",
        f"lines = [{toml_string(p.text)}]",
        f"examples = [{toml_string(p.text)}]",
    ]
    if p.counterexample:
        lines.append(f"counterexamples = [{toml_string(p.counterexample)}]")
    lines.append("")
    return lines


def _count(p: Proposal) -> str:
    return f"{p.docs:,} of {p.group_docs:,} documents ({p.share:.1%})"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _name(group: str) -> str:
    """A group's name fit for a comment or a description: printable, on one line."""
    from stripper.files import printable

    return " ".join(printable(group).split()) or "?"


def _comment(text: str) -> str:
    """A line quoted for a TOML comment (no control character, no undecodable byte), cut to 120 characters."""
    from stripper.files import printable

    text = printable(text)
    return toml_string(text if len(text) <= 120 else text[:117] + "...")
