"""Clean many documents (files, folders, JSON Lines, a long stream) in order, in parallel, in bounded memory.

A `Cleaner` (the rule set and a `Plan` of what to do with each result) is sent
once to every worker process; each task returns an `Outcome` for the main
process to write out in input order: cleaned text or records for stdout, a
diff, report lines, messages, and a `Tally` for the summary.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from stripper import jsonl
from stripper.diff import unified
from stripper.engine import DEFAULT_TIMEOUT, Result, clean
from stripper.files import (
    AtomicFile,
    BinaryInput,
    Input,
    InputError,
    atomic_write,
    decode_document,
    encode,
    encode_document,
    read_bytes,
)
from stripper.parallel import ordered_map
from stripper.report import Tally, dumps, result_record
from stripper.rules import RuleSet
from stripper.stream import MIN_WINDOW, Piece, Window, clean_window, windows

STDOUT, OUTPUT_DIR, IN_PLACE, NOWHERE = "stdout", "output-dir", "in-place", "nowhere"
BATCH_LINES = 256  # JSON Lines records per task
BATCH_BYTES = 1 << 20
FILES_PER_TASK = 8  # files per worker task


@dataclass(frozen=True)
class Plan:
    """What to do with every cleaned document."""

    write: str = STDOUT  # STDOUT, OUTPUT_DIR (mirroring the inputs' tree), IN_PLACE or NOWHERE
    output_dir: Path | None = None
    backup: str | None = None  # with IN_PLACE: keep the original as path + backup
    diff: bool = False
    report: bool = False
    jsonl: jsonl.Options | None = None
    timeout: float | None = DEFAULT_TIMEOUT


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one task produced, for the main process to write out in order."""

    source: str
    output: bytes = b""  # for stdout: cleaned text, or JSON Lines records
    diff: bytes = b""
    report: str = ""  # JSON Lines, one line per document
    messages: tuple[str, ...] = ()  # for stderr: bad input, rule timeouts
    tally: Tally = field(default_factory=Tally)
    error: bool = False  # bad input: the run ends with exit code 2
    fatal: bool = False  # bad JSON with on_bad="error": the run stops here
    file: int = 0  # JSON Lines: which input this batch belongs to
    last: bool = True  # JSON Lines: the input's last batch


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive lines of one JSON Lines input (or the error that ended reading it)."""

    name: str
    file: int
    first: int  # line number of lines[0]
    lines: tuple[bytes, ...] = ()
    last: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Cleaner:
    """The rule set and the plan: everything a worker needs, sent once to each."""

    rules: RuleSet
    plan: Plan = Plan()

    def file(self, item: Input) -> Outcome:
        """Clean one text file, write it where the plan says, and say what happened."""
        source = os.fsdecode(item.path)
        try:
            data = read_bytes(item.path)
            text, codec = decode_document(data, source)
            result = clean(text, self.rules, timeout=self.plan.timeout, source=source)
            cleaned = encode_document(result.text, codec) if result.changed else data
            if self.plan.write == OUTPUT_DIR:
                target = self.plan.output_dir / item.rel
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise InputError.from_os(exc, target.parent) from None
                atomic_write(target, cleaned)
            elif self.plan.write == IN_PLACE and result.changed:
                atomic_write(item.path, cleaned, backup=self.plan.backup)
        except BinaryInput as exc:
            return Outcome(source, messages=(str(exc),))
        except InputError as exc:
            return Outcome(source, messages=(str(exc),), tally=Tally(errors=1), error=True)
        return self._outcome(result, source, data, cleaned)

    def files(self, items: tuple[Input, ...]) -> list[Outcome]:
        """Clean several files in one task (see clean_files)."""
        return [self.file(item) for item in items]

    def text(self, data: bytes, source: str) -> Outcome:
        """Clean one text given as bytes (stdin); the output, if the plan writes to stdout, is in the outcome."""
        try:
            text, codec = decode_document(data, source)
        except BinaryInput as exc:  # passed through untouched, with a warning
            return Outcome(source, output=data if self.plan.write == STDOUT else b"", messages=(str(exc),))
        except InputError as exc:
            return Outcome(source, messages=(str(exc),), tally=Tally(errors=1), error=True)
        result = clean(text, self.rules, timeout=self.plan.timeout, source=source)
        return self._outcome(result, source, data, encode_document(result.text, codec) if result.changed else data)

    def _outcome(self, result: Result, source: str, data: bytes, cleaned: bytes) -> Outcome:
        tally = Tally()
        tally.add(result.removals, result.lines, len(data))
        return Outcome(
            source,
            output=cleaned if self.plan.write == STDOUT else b"",
            diff=self._diff(result, source),
            report=dumps(result_record(result, source)) if self.plan.report else "",
            messages=_problems(result, source),
            tally=tally,
        )

    def batch(self, batch: Batch) -> Outcome:
        """Clean a batch of JSON Lines records."""
        if batch.error is not None:
            return Outcome(batch.name, messages=(batch.error,), tally=Tally(errors=1), error=True, file=batch.file)
        options = self.plan.jsonl
        output, diffs, reports, messages = [], [], [], []
        tally = Tally()
        for number, raw in enumerate(batch.lines, batch.first):
            record = jsonl.clean_line(raw, number, batch.name, self.rules, options, timeout=self.plan.timeout)
            output.append(record.output)
            if record.problem is not None:
                tally.bad_lines += 1
                messages.append(f"{record.source}: {record.problem}")
                if options.on_bad == "error":  # the records before it still go out, as earlier batches' did
                    return Outcome(
                        batch.name,
                        output=b"".join(output) if self.plan.write == STDOUT else b"",
                        diff=b"".join(diffs),
                        report="".join(reports),
                        messages=tuple(messages),
                        tally=tally,
                        error=True,
                        fatal=True,
                    )
                continue
            if record.result is None:  # a blank line
                continue
            tally.add(record.result.removals, record.result.lines, len(raw))
            diffs.append(self._diff(record.result, record.source))
            if self.plan.report:
                reports.append(dumps(result_record(record.result, record.source)))
            messages.extend(_problems(record.result, record.source))
        return Outcome(
            batch.name,
            output=b"".join(output) if self.plan.write != NOWHERE else b"",
            diff=b"".join(diffs),
            report="".join(reports),
            messages=tuple(messages),
            tally=tally,
            file=batch.file,
            last=batch.last,
        )

    def window(self, window: Window) -> Piece:
        """Clean one window of a stream."""
        return clean_window(window, self.rules, timeout=self.plan.timeout)

    def _diff(self, result: Result, source: str) -> bytes:
        return _encode_any(unified(result, source)) if self.plan.diff else b""


def clean_files(inputs: Iterable[Input], cleaner: Cleaner, *, jobs: int) -> Iterator[Outcome]:
    """Clean text files, `jobs` at a time; outcomes in input order.

    With workers, files go to them FILES_PER_TASK at a time: a news article takes about a millisecond to
    clean, about what sending one task to a process and its outcome back costs.
    """
    if jobs <= 1:
        return ordered_map(Cleaner.file, cleaner, inputs, jobs=jobs)
    return _flatten(ordered_map(Cleaner.files, cleaner, _chunks(inputs, FILES_PER_TASK), jobs=jobs))


def _chunks(items: Iterable[Input], size: int) -> Iterator[tuple[Input, ...]]:
    items = iter(items)
    while chunk := tuple(itertools.islice(items, size)):
        yield chunk


def _flatten(batches: Iterator[list[Outcome]]) -> Iterator[Outcome]:
    try:
        for outcomes in batches:
            yield from outcomes
    finally:
        close = getattr(batches, "close", None)  # stop the workers when the caller stops early
        if close is not None:
            close()


def clean_windows(
    lines: Iterable[bytes], cleaner: Cleaner, *, jobs: int, min_lines: int = MIN_WINDOW
) -> Iterator[Piece]:
    """Clean one text of any length, given as binary lines, window by window, `jobs` windows at a time."""
    found = windows(lines, cleaner.rules, min_lines=min_lines, timeout=cleaner.plan.timeout)
    return ordered_map(Cleaner.window, cleaner, found, jobs=jobs)


@dataclass(frozen=True, slots=True)
class JsonlInput:
    """A JSON Lines input: a file (with its place below --output-dir), or an open stream such as stdin."""

    name: str
    item: Input | None = None
    stream: BinaryIO | None = None


def clean_jsonl(inputs: Iterable[JsonlInput], cleaner: Cleaner, *, jobs: int) -> Iterator[Outcome]:
    """Clean JSON Lines inputs in batches of records, `jobs` batches at a time; outcomes in input order.

    With OUTPUT_DIR or IN_PLACE each input's records go to its file, which is replaced atomically once all
    its batches are written; an input that fails to read or write, or has a fatal bad line, is not written.
    """
    plan = cleaner.plan
    writes = plan.write in (OUTPUT_DIR, IN_PLACE)
    started: deque[JsonlInput] = deque()  # inputs whose batches are being read or cleaned, in order

    def batches() -> Iterator[Batch]:
        for number, source in enumerate(inputs):
            started.append(source)
            yield from read_batches(source, number)

    sink: AtomicFile | None = None
    broken = False  # the current input will not be written: its remaining batches are only reported
    try:
        for outcome in ordered_map(Cleaner.batch, cleaner, batches(), jobs=jobs):
            source = started[0]
            if writes and source.item is not None and not broken:
                try:
                    if not outcome.error:
                        sink = sink or _open_sink(source.item, plan)
                        sink.write(outcome.output)
                        if outcome.last:
                            sink.commit()
                            sink = None
                except InputError as exc:
                    outcome = _failed(outcome, exc)
                if outcome.error:
                    broken = True
                    if sink is not None:
                        sink.discard()
                        sink = None
            if writes:
                outcome = replace(outcome, output=b"")
            yield outcome
            if outcome.fatal:
                return
            if outcome.last:
                started.popleft()
                broken = False
    finally:
        if sink is not None:
            sink.discard()


def read_batches(source: JsonlInput, number: int) -> Iterator[Batch]:
    """The batches of one input; a read error ends it with an error batch. Also how a Dask task reads its shard."""
    first, lines, size = 1, [], 0
    try:
        with open(source.item.path, "rb") if source.stream is None else nullcontext(source.stream) as stream:
            for raw in stream:
                lines.append(raw)
                size += len(raw)
                if len(lines) >= BATCH_LINES or size >= BATCH_BYTES:
                    yield Batch(source.name, number, first, tuple(lines))
                    first, lines, size = first + len(lines), [], 0
    except OSError as exc:
        error = InputError.from_os(exc, source.item.path if source.item else source.name)
        yield Batch(source.name, number, first, error=str(error), last=True)
        return
    yield Batch(source.name, number, first, tuple(lines), last=True)


def _failed(outcome: Outcome, error: InputError) -> Outcome:
    tally = Tally()
    tally.merge(outcome.tally)
    tally.errors += 1
    return replace(outcome, messages=(*outcome.messages, str(error)), tally=tally, error=True)


def _open_sink(item: Input, plan: Plan) -> AtomicFile:
    if plan.write == IN_PLACE:
        return AtomicFile(item.path, backup=plan.backup)
    target = plan.output_dir / item.rel
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError.from_os(exc, target.parent) from None
    return AtomicFile(target)


def _problems(result: Result, source: str) -> tuple[str, ...]:
    return tuple(f"{source}:{p.line}: {p.rule}: {p.message}" for p in result.problems)


def _encode_any(text: str) -> bytes:
    """Text as the bytes it was decoded from; a lone surrogate that came from JSON as its \\u escape."""
    try:
        return encode(text)
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")
