"""Rules, rule sets and the loader for `rules/*.toml` files."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re as _re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import regex

from stripper.normalize import core, normalise

KINDS = ("phrases", "pattern", "lines", "block")
MATCHES = ("phrase", "start", "line")
DEFAULT_MAX_WORDS = 25
DEFAULT_MAX_LINES = 12

_ID = _re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)+")
_LANG = _re.compile(r"[a-z]{2,3}")
_FILE_KEYS = {"category", "lang", "description", "rule"}
_RULE_KEYS = {
    "id", "category", "lang", "description", "kind", "phrases", "pattern", "lines",
    "start", "end", "max_lines", "match", "max_words", "keywords", "near", "menu",
    "examples", "counterexamples",
}  # fmt: skip


class RuleError(ValueError):
    """A rule file or rule that cannot be loaded; the message names file, line and rule."""

    def __init__(self, reason: str, path: str | None = None, rule: str | None = None, line: int | None = None):
        self.reason, self.path, self.rule, self.line = reason, path, rule, line
        where = path or "<rules>"
        if line:
            where += f":{line}"
        super().__init__(f"{where}: {f'rule {rule!r}: ' if rule else ''}{reason}")


@dataclass(frozen=True, slots=True)
class Rule:
    """One declarative rule, exactly as written in its file (nothing compiled)."""

    id: str
    category: str
    lang: str
    description: str
    kind: str
    match: str = "phrase"
    phrases: tuple[str, ...] = ()
    pattern: str | None = None
    lines: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    max_lines: int = DEFAULT_MAX_LINES
    max_words: int | None = DEFAULT_MAX_WORDS
    keywords: tuple[str, ...] = ()
    near: bool = False
    menu: bool = False
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()
    source: str = ""
    source_line: int = 0

    def where(self) -> str:
        return f"{self.source}:{self.source_line}" if self.source_line else self.source


def _word_bounded(phrase: str) -> str:
    body = regex.escape(phrase, special_only=True, literal_spaces=True)
    left = r"(?<!\w)" if phrase[:1].isalnum() else ""
    right = r"(?!\w)" if phrase[-1:].isalnum() else ""
    return left + body + right


def phrase_alternation(phrases: Iterable[str], whole_line: bool = False) -> str:
    """One alternation of normalised, word-bounded phrases, longest first.

    For whole-line matching the phrases are trimmed like the line itself, so
    "Forgot your password?" matches the line "Forgot your password?".
    """
    prepare = (lambda p: core(normalise(p))) if whole_line else normalise
    norm = sorted({prepare(p) for p in phrases if prepare(p)}, key=lambda p: (-len(p), p))
    return "(?:" + "|".join(_word_bounded(p) for p in norm) + ")"


def compile_regex(source: str, rule: Rule, what: str) -> regex.Pattern:
    try:
        return regex.compile(source, regex.IGNORECASE)
    except (regex.error, TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise RuleError(f"bad {what} regex: {exc}", rule.source, rule.id, rule.source_line) from None


@dataclass(frozen=True)
class RuleSet:
    """An ordered, validated collection of rules; picklable (compiled state is rebuilt lazily)."""

    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        seen: dict[str, Rule] = {}
        for rule in self.rules:
            if rule.id in seen:
                raise RuleError(f"duplicate id (first defined at {seen[rule.id].where()})", rule.where(), rule.id)
            seen[rule.id] = rule

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)

    def __add__(self, other: RuleSet) -> RuleSet:
        return RuleSet(self.rules + other.rules)

    def __getstate__(self):
        return {"rules": self.rules}

    def __setstate__(self, state) -> None:
        object.__setattr__(self, "rules", state["rules"])
        _Cache.open().prime(self.rules)  # a worker process: take compiled regexes from the cache, as the parent did

    @classmethod
    def default(cls) -> RuleSet:
        """The rule set shipped with stripper."""
        return cls.load([default_rules_path()])

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> RuleSet:
        """Load rule files, or every `*.toml` below folders, in sorted path order."""
        rules: list[Rule] = []
        cache = _Cache.open()
        for path in paths:
            for file in _rule_files(Path(path)):
                rules.extend(cache.load(file))
        return cls(tuple(rules))

    def select(self, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None) -> RuleSet:
        """Keep rules picked by category or id prefix (like ruff's --select/--ignore)."""
        for token in [*(select or ()), *(ignore or ())]:
            if not any(_picks(token, r) for r in self.rules):
                raise RuleError(f"{token!r} matches no rule id or category")
        kept = [
            r
            for r in self.rules
            if (not select or any(_picks(t, r) for t in select)) and not any(_picks(t, r) for t in ignore or ())
        ]
        return RuleSet(tuple(kept))

    @cached_property
    def matcher(self):
        """The compiled form of this rule set (built on first use, never pickled)."""
        from stripper.matcher import Matcher

        return Matcher(self.rules)


CACHE_VERSION = 6


class _Cache:
    """Validated rules of each rule file, pickled in the user's cache folder, one cache file per rule file.

    Parsing TOML and compiling every regex of the shipped rules costs seconds, far more than cleaning one
    article; unpickling them (compiled regexes included: the regex module pickles a pattern with its code)
    costs milliseconds. An entry is used only while its rule file has the same path, size, mtime, inode and
    mode. One cache file per rule file, so a run pays only for the rule files it loads. STRIPPER_CACHE_DIR
    moves the cache and STRIPPER_NO_CACHE=1 turns it off; a cache that cannot be read or written is ignored.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder

    @classmethod
    def open(cls) -> _Cache:
        if os.environ.get("STRIPPER_NO_CACHE"):
            return cls(None)
        base = os.environ.get("STRIPPER_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "stripper"
        )
        python = f"py{sys.version_info[0]}{sys.version_info[1]}"
        return cls(Path(base) / f"rules-v{CACHE_VERSION}-{python}-regex{regex.__version__}-{_code_stamp()}")

    def _where(self, file: Path) -> tuple[Path, tuple] | None:
        """The cache file of a rule file, and the key its entry must carry; None without a cache."""
        if self.folder is None:
            return None
        try:
            stat = file.stat()
            resolved = os.fspath(file.resolve())
        except OSError:
            return None
        key = (str(file), resolved, stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_mode)
        name = hashlib.sha1(f"{file}\0{resolved}".encode("utf-8", "surrogateescape")).hexdigest()[:20]
        return self.folder / f"{name}.pickle", key

    def _read(self, file: Path) -> tuple | None:
        where = self._where(file)
        if where is None:
            return None
        path, key = where
        try:
            with open(path, "rb") as handle:
                stored_key, entries = pickle.load(handle)
        except Exception:  # missing, truncated, from another version: not cached
            return None
        return entries if stored_key == key else None

    def load(self, file: Path) -> list[Rule]:
        """load_file(file), from the cache when the file has not changed since it was cached."""
        from stripper import matcher  # what the matcher derives from each rule is cached with it

        entries = self._read(file)
        if entries is not None:
            for rule, analysis, compiled in entries:
                matcher.remember(rule, analysis, compiled)
            return [rule for rule, _, _ in entries]
        rules = load_file(file)
        where = self._where(file)
        if where is not None:
            entries = tuple(
                (r, matcher.analyse(r) if r.kind in ("phrases", "pattern") else None, matcher.pickled_regexes(r))
                for r in rules
            )
            _write(where[0], (where[1], entries))
        return rules

    def prime(self, rules: Iterable[Rule]) -> None:
        """Hand the matcher what is cached for these rules (where a rule set arrives pickled, in a worker)."""
        from stripper import matcher

        for source in {rule.source for rule in rules if rule.source}:
            for rule, analysis, compiled in self._read(Path(source)) or ():
                matcher.remember(rule, analysis, compiled)


@functools.cache
def _code_stamp() -> str:
    """A hash of the code that turns a rule file into cached entries, so a changed loader or matcher (an upgrade,
    or an edited checkout) never meets entries made by the old one. Read once per process."""
    digest = hashlib.sha1()
    here = Path(__file__).parent
    for name in ("rules.py", "matcher.py", "normalize.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:12]


def _write(path: Path, data: object) -> None:
    """Pickle to path atomically; a cache that cannot be written is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(temp, "wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except OSError:
        pass


def _picks(token: str, rule: Rule) -> bool:
    return rule.category == token or rule.id == token or rule.id.startswith(token)


def default_rules_path() -> Path:
    """Rules installed with the package, or the source tree's top-level `rules/`."""
    here = Path(__file__).resolve().parent
    packaged = here / "_rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def _rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.toml") if p.is_file())
    if not path.exists():
        raise RuleError("no such rule file or folder", str(path))
    return [path]


def load_file(path: str | Path) -> list[Rule]:
    """Parse and validate one rule file; every problem raises RuleError naming file and rule."""
    import tomllib

    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RuleError(f"cannot read: {exc.strerror or exc}", name) from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise RuleError("not UTF-8 text", name) from None
    except tomllib.TOMLDecodeError as exc:
        line = _re.search(r"line (\d+)", str(exc))
        raise RuleError(f"invalid TOML: {exc}", name, line=int(line.group(1)) if line else None) from None
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise RuleError(f"unknown top-level key(s): {', '.join(sorted(unknown))}", name)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise RuleError("'rule' must be an array of tables ([[rule]])", name)
    defaults = {k: data[k] for k in ("category", "lang") if k in data}
    rules = [_parse_rule(entry, i, defaults, name, text) for i, entry in enumerate(entries, 1)]
    for rule in rules:
        _compile_check(rule)
    return rules


def _id_line(text: str, rule_id: str) -> int:
    m = _re.search(r"^[ \t]*id[ \t]*=[ \t]*[\"']" + _re.escape(rule_id) + r"[\"']", text, _re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def _parse_rule(entry: object, index: int, defaults: dict, path: str, text: str) -> Rule:
    if not isinstance(entry, dict):
        raise RuleError(f"rule #{index} is not a table", path)
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RuleError(f"rule #{index} has no 'id'", path)
    line = _id_line(text, rule_id)

    def fail(reason: str):
        raise RuleError(reason, path, rule_id, line)

    if not _ID.fullmatch(rule_id):
        fail("id must look like 'category.name' (lowercase letters, digits, '-', '_', dots)")
    unknown = set(entry) - _RULE_KEYS
    if unknown:
        fail(f"unknown key(s): {', '.join(sorted(unknown))}")
    fields = {**defaults, **entry}
    for key in ("category", "lang", "description"):
        if not isinstance(fields.get(key), str) or not fields[key].strip():
            fail(f"missing or empty '{key}'")
    if not _LANG.fullmatch(fields["lang"]):
        fail(f"lang must be an ISO 639 code or 'mul', not {fields['lang']!r}")

    def strings(key: str, required: bool = False) -> tuple[str, ...]:
        value = fields.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            fail(f"'{key}' must be a list of non-empty strings")
        if required and not value:
            fail(f"'{key}' must list at least one entry")
        return tuple(value)

    def integer(key: str, default: int | None) -> int | None:
        value = fields.get(key, default)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            fail(f"'{key}' must be a positive integer")
        return value

    given = [k for k in ("phrases", "pattern", "lines") if k in fields]
    kind = fields.get("kind")
    if kind is not None and kind not in KINDS:
        fail(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "block" or {"start", "end"} & set(fields):
        if given or kind not in (None, "block"):
            fail("a block rule has 'start' and 'end', not phrases, pattern or lines")
        kind = "block"
        for key in ("start", "end"):
            if not isinstance(fields.get(key), str) or not fields[key]:
                fail(f"block rule needs a '{key}' regex")
    elif len(given) != 1:
        fail("needs exactly one of 'phrases', 'pattern', 'lines' (or kind = \"block\")")
    elif kind not in (None, given[0]):
        fail(f"kind {kind!r} does not fit key '{given[0]}'")
    else:
        kind = given[0]
    if kind == "pattern" and (not isinstance(fields["pattern"], str) or not fields["pattern"]):
        fail("'pattern' must be a non-empty string")
    match = fields.get("match", "line" if kind == "lines" else "phrase")
    if match not in MATCHES:
        fail(f"match must be one of {', '.join(MATCHES)}, not {match!r}")
    if kind in ("lines", "block") and "match" in fields:
        fail(f"'match' does not apply to {kind} rules")
    if kind != "block" and "max_lines" in fields:
        fail("'max_lines' only applies to block rules")
    if kind != "pattern" and "keywords" in fields:
        fail("'keywords' only applies to pattern rules")
    near = fields.get("near", False)
    if not isinstance(near, bool):
        fail("'near' must be true or false")
    if near and kind == "block":
        fail("'near' does not apply to block rules")
    menu = fields.get("menu", False)
    if not isinstance(menu, bool):
        fail("'menu' must be true or false")
    if menu and not near:
        fail("'menu' only applies to near rules (near = true)")
    phrases = strings("phrases", required=kind == "phrases")
    lines = strings("lines", required=kind == "lines")
    for phrase in phrases:
        if not normalise(phrase):
            fail(f"phrase {phrase!r} is empty once normalised and would match every line")
    for line in lines:
        if not core(normalise(line)):
            fail(f"line {line!r} is only punctuation or spaces once normalised")
    return Rule(
        id=rule_id,
        category=fields["category"],
        lang=fields["lang"],
        description=fields["description"].strip(),
        kind=kind,
        match=match,
        phrases=phrases,
        pattern=_casefold_literals(fields.get("pattern")),
        lines=lines,
        start=_casefold_literals(fields.get("start")),
        end=_casefold_literals(fields.get("end")),
        max_lines=integer("max_lines", DEFAULT_MAX_LINES),
        max_words=integer("max_words", DEFAULT_MAX_WORDS),
        keywords=tuple(normalise(k) for k in strings("keywords")),
        near=near,
        menu=menu,
        examples=strings("examples", required=True),
        counterexamples=strings("counterexamples"),
        source=path,
        source_line=line,
    )


def _casefold_literals(source: str | None) -> str | None:
    """Regexes meet casefolded lines, and casefolding turns 'ß' into 'ss': a pattern that says 'außerdem' would
    never match. 'ß' has no meaning in regex syntax, so rewriting it is safe."""
    return source.replace("ß", "ss").replace("ẞ", "ss") if source else source


def _compile_check(rule: Rule) -> None:
    """Fail at load time, naming the rule, for any regex that does not compile."""
    if rule.kind == "pattern":
        compile_regex(rule.pattern, rule, "pattern")
    elif rule.kind == "block":
        compile_regex(rule.start, rule, "start")
        compile_regex(rule.end, rule, "end")
