"""JSON Lines documents: clean one string field of each record, keep the rest, and add what was removed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from stripper.engine import DEFAULT_TIMEOUT, Result, clean
from stripper.files import decode
from stripper.report import result_record
from stripper.rules import RuleSet

KEY = "stripper"  # the key each output record gets, holding the removals
ON_BAD = ("pass", "skip", "error")
BOM = b"\xef\xbb\xbf"  # what happens to a line that is not a document with the field


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
    split = record_body(raw, number)
    if split is None:  # blank lines are not records; they are copied as they are
        return Record(number, source, raw)
    bom, body = split  # a file's byte order mark is kept
    record, problem = parse_record(body, options.field)
    if problem is not None:
        return Record(number, source, raw if options.on_bad == "pass" else b"", problem=problem)
    if options.id_field and isinstance(record.get(options.id_field), str | int):
        source = str(record[options.id_field])
    result = clean(record[options.field], rules, timeout=timeout, source=source)
    record[options.field] = result.text
    report = result_record(result, source)
    del report["source"]
    record[KEY] = report
    ending = raw[len(bom) + len(body) :]
    return Record(number, source, bom + dumps(record, raw_bytes=not _is_utf8(body)) + ending, result)


def record_body(raw: bytes, number: int) -> tuple[bytes, bytes] | None:
    """The byte order mark (of line 1 only, else b"") and the JSON text of input line `number`, its line ending
    left off; None for a blank line, which is no record."""
    body = raw.rstrip(b"\r\n")
    if not body.strip():
        return None
    bom = BOM if number == 1 and body.startswith(BOM) else b""
    return bom, body[len(bom) :]


def parse_record(body: bytes, field: str) -> tuple[dict, None] | tuple[None, str]:
    """The JSON object on one line (without ending or BOM) whose `field` is a string, or why it is not one."""
    try:
        record = json.loads(decode(body))
    except ValueError as exc:
        return None, f"not valid JSON ({getattr(exc, 'msg', exc)}, column {getattr(exc, 'colno', '?')})"
    except RecursionError:  # json gives up on [[[[... thousands deep by overflowing the stack
        return None, "not valid JSON (nested too deeply)"
    if not isinstance(record, dict):
        return None, f"not a JSON object but {_kind(record)}"
    if field not in record:
        return None, f"no {field!r} field"
    if not isinstance(record[field], str):
        return None, f"{field!r} is {_kind(record[field])}, not a string"
    return record, None


def dumps(record: dict, *, raw_bytes: bool = False) -> bytes:
    """A record as one compact line of UTF-8 JSON; a lone surrogate is written as its \\u escape.

    With `raw_bytes` (the input line was not UTF-8) a surrogate that stands for an undecodable input byte is
    written back as that byte, so kept text keeps the bytes it came with.
    """
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    if raw_bytes:
        try:
            return text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # also a \\ud800-style escape that is not a byte: escape them all
            pass
    return text.encode("utf-8", "backslashreplace")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _kind(value: object) -> str:
    """What a JSON value is, for a message: "a number", "null", "a list" ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a string"
