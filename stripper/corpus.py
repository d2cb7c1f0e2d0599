"""A corpus as documents with a group: text files and JSON Lines shards below folders, grouped by site.

`stripper learn` reads its inputs twice (once to count, once to recount the candidates), so a corpus is
a re-iterable description of paths, not a stream.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from stripper.files import InputError, decode_document, find_inputs, read_bytes
from stripper.jsonl import parse_record, record_body

GROUP_BY = ("folder", "url", "none")
NO_URL = "unknown"  # the group of documents whose URL field is missing or has no host
JSONL_SUFFIXES = (".jsonl", ".ndjson")
DEFAULT_GLOBS = ("*.txt", "*.jsonl")
MAX_WARNINGS = 20  # per reading of the corpus; the rest are only counted

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Document:
    """One document of the corpus: where it came from (`path` or `path:line`), its group and its text."""

    source: str
    group: str
    text: str


@dataclass(frozen=True)
class Corpus:
    """Which documents to read and how to group them.

    group_by: "folder" (the first sub-folder below each folder argument; files directly in it take the
    folder's own name), "url" (the host of `url_field` in JSON Lines records, without "www."), or "none"
    (one group, called `name`). Files ending in .jsonl/.ndjson are JSON Lines shards, one document per
    record (its `field` string); every other file is one document.
    """

    paths: tuple[str, ...]
    group_by: str = "folder"
    field: str = "text"
    url_field: str = "url"
    globs: tuple[str, ...] = DEFAULT_GLOBS
    name: str = "corpus"
    exclude: Path | None = None
    jsonl: bool | None = None  # None: by file name; True/False: every file is (not) JSON Lines

    def __post_init__(self) -> None:
        if self.group_by not in GROUP_BY:
            raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}, not {self.group_by!r}")


@dataclass
class Reading:
    """What went wrong while reading the corpus once: skipped inputs and records, with a few messages."""

    warn: Callable[[str], None] | None = None
    skipped_files: int = 0
    skipped_records: int = 0
    no_url: int = 0
    messages: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        if len(self.messages) < MAX_WARNINGS:
            self.messages.append(message)
            if self.warn is not None:
                self.warn(message)


def documents(corpus: Corpus, reading: Reading | None = None) -> Iterator[Document]:
    """Every document of the corpus, in a stable order (arguments in order, folders walked sorted).

    A path that does not exist raises InputError; an unreadable or binary file and a JSON Lines line that
    is not an object with a string `field` are counted in `reading`, named in its first messages, and skipped.
    """
    reading = reading if reading is not None else Reading()
    for arg in corpus.paths:
        top = Path(arg)
        folder_name = _folder_name(top if top.is_dir() else top.parent)

        def on_error(error: InputError) -> None:
            reading.skipped_files += 1
            reading.problem(str(error))

        for item in find_inputs([arg], corpus.globs, exclude=corpus.exclude, on_error=on_error):
            group = corpus.name
            if corpus.group_by == "folder":
                group = item.rel.parts[0] if top.is_dir() and len(item.rel.parts) > 1 else folder_name
            is_jsonl = corpus.jsonl if corpus.jsonl is not None else item.path.name.endswith(JSONL_SUFFIXES)
            name = os.fsdecode(item.path)
            try:
                if is_jsonl:
                    yield from _records(item.path, name, group, corpus, reading)
                    continue
                text, _codec = decode_document(read_bytes(item.path), name)
            except InputError as exc:
                reading.skipped_files += 1
                reading.problem(str(exc))
                continue
            if corpus.group_by == "url":
                reading.no_url += 1
                group = NO_URL
            yield Document(os.fsdecode(item.path), group, text)


def _records(path: Path, name: str, group: str, corpus: Corpus, reading: Reading) -> Iterator[Document]:
    """The documents of one JSON Lines shard, read line by line; bad lines are counted and skipped."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError.from_os(exc, name) from None
    with handle:
        number = 0
        while True:
            try:
                raw = handle.readline()
            except OSError as exc:
                raise InputError(name, f"line {number + 1}: {exc.strerror or exc}") from None
            if not raw:
                return
            number += 1
            document = _record(raw, number, name, group, corpus, reading)
            if document is not None:
                yield document


def _record(raw: bytes, number: int, name: str, group: str, corpus: Corpus, reading: Reading) -> Document | None:
    """One JSON Lines record as a document, parsed as `clean --jsonl` parses it; None for a blank or bad line."""
    split = record_body(raw, number)
    if split is None:
        return None
    record, problem = parse_record(split[1], corpus.field)
    if record is None:
        reading.skipped_records += 1
        reading.problem(f"{name}:{number}: {problem}; skipped")
        return None
    if corpus.group_by == "url":
        group = url_group(record.get(corpus.url_field))
        if group == NO_URL:
            reading.no_url += 1
    return Document(f"{name}:{number}", group, record[corpus.field])


def url_group(url: object) -> str:
    """The site of a URL: its host, lower-case, without a leading "www."; NO_URL when there is none."""
    if not isinstance(url, str):
        return NO_URL
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return NO_URL
    if not host:
        return NO_URL
    return host.removeprefix("www.")


def _folder_name(folder: Path) -> str:
    return folder.resolve().name or "corpus"


def slug(text: str, limit: int = 40) -> str:
    """A lowercase ASCII name for a group or a line, as rule ids allow ('jns.org' -> 'jns-org')."""
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-")
