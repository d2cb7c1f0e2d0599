"""JSON Lines documents: clean one string field of each record, keep the rest, and add what was removed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from stripper.engine import DEFAULT_TIMEOUT, Result, clean
from stripper.files import decode
from stripper.report import result_record
from stripper.rules import RuleSet

KEY = "stripper"  # the key each output record gets, holding the removals
ON_BAD = ("pass", "skip", "error")  # what happens to a line that is not a document with the field


@dataclass(frozen=True, slots=True)
class Options:
    field: str = "text"
    id_field: str | None = None  # a record field to name the document by in reports, instead of "file:line"
    on_bad: str = "pass"


@dataclass(frozen=True, slots=True)
class Record:
    """One input line: the line to write for it, and its cleaning result or why it is not a document."""

    number: int
    source: str
    output: bytes
    result: Result | None = None
    problem: str | None = None


def clean_line(
    raw: bytes, number: int, name: str, rules: RuleSet, options: Options, *, timeout: float | None = DEFAULT_TIMEOUT
) -> Record:
    """Clean the `options.field` string of the JSON object on one input line (`raw` with its line ending)."""
    source = f"{name}:{number}"
    body = raw.rstrip(b"\r\n")
    if not body.strip():  # blank lines are not records; they are copied as they are
        return Record(number, source, raw)
    problem = None
    try:
        record = json.loads(decode(body))
    except ValueError as exc:
        problem = f"not valid JSON ({getattr(exc, 'msg', exc)}, column {getattr(exc, 'colno', '?')})"
    else:
        if not isinstance(record, dict):
            problem = "not a JSON object"
        elif options.field not in record:
            problem = f"no {options.field!r} field"
        elif not isinstance(record[options.field], str):
            problem = f"{options.field!r} is not a string"
    if problem is not None:
        return Record(number, source, raw if options.on_bad == "pass" else b"", problem=problem)
    if options.id_field and isinstance(record.get(options.id_field), str | int):
        source = str(record[options.id_field])
    result = clean(record[options.field], rules, timeout=timeout, source=source)
    record[options.field] = result.text
    report = result_record(result, source)
    del report["source"]
    record[KEY] = report
    ending = raw[len(body) :]
    return Record(number, source, dumps(record) + ending, result)


def dumps(record: dict) -> bytes:
    """A record as one compact line of UTF-8 JSON; a lone surrogate is written as its \\u escape."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")
