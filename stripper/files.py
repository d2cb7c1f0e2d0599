"""Bytes, paths and files: decoding, finding inputs below folders, writing outputs atomically."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ENCODING = "utf-8"
ERRORS = "surrogateescape"  # undecodable bytes survive the round trip unchanged
TEMP_SUFFIX = ".stripper-tmp"
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")  # one line with its ending, split like engine.split_lines


def decode(data: bytes) -> str:
    return data.decode(ENCODING, ERRORS)


UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
UTF32_LE_BOM = b"\xff\xfe\x00\x00"
BINARY = "binary"
SNIFF_BYTES = 8192


def sniff(head: bytes) -> str:
    """What the first bytes of a document say it is: "utf-16-le"/"utf-16-be" (by its BOM), BINARY
    (a NUL byte, which no text in UTF-8 or a single-byte code page has) or "utf-8".

    Anything else (Latin-1, cp1252, broken UTF-8) is read as UTF-8 with the undecodable bytes kept
    as they are: kept lines come out byte for byte, and rules match on the decodable part.
    """
    if head.startswith(UTF32_LE_BOM):  # starts like UTF-16 LE, but is UTF-32: not read, like any NUL bytes
        return BINARY
    codec = UTF16_BOMS.get(head[:2])
    if codec:
        return codec
    return BINARY if b"\0" in head[:SNIFF_BYTES] else ENCODING


def decode_document(data: bytes, source: str) -> tuple[str, str]:
    """The text of a document and the codec to write it back with (see `sniff`); BINARY is refused."""
    codec = sniff(data)
    if codec == ENCODING:
        return decode(data), codec
    if codec == BINARY:
        raise BinaryInput(source, "looks binary (it has NUL bytes); skipped")
    try:
        return data[2:].decode(codec), codec
    except UnicodeDecodeError as exc:
        reason = f"starts with a UTF-16 byte order mark but is not UTF-16 (byte {exc.start + 2})"
        raise InputError(source, reason) from None


def encode_document(text: str, codec: str) -> bytes:
    """The inverse of `decode_document`: UTF-16 comes back with its byte order mark."""
    if codec == ENCODING:
        return encode(text)
    bom = next(b for b, c in UTF16_BOMS.items() if c == codec)
    return bom + text.encode(codec)


def encode(text: str) -> bytes:
    return text.encode(ENCODING, ERRORS)


def split_with_endings(text: str) -> list[str]:
    """The lines of a text with their endings ("\\n", "\\r\\n" or "\\r"), split where the engine splits them."""
    return _LINE.findall(text)


def printable(text: str) -> str:
    """Text safe to print or put in JSON: each undecodable byte (or lone surrogate) becomes U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


class InputError(Exception):
    """An input or output path that cannot be used; the message names it."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path, self.reason = os.fspath(path), reason
        super().__init__(f"{printable(self.path)}: {reason}")

    @classmethod
    def from_os(cls, exc: OSError, path: str | os.PathLike | None = None) -> InputError:
        return cls(path if path is not None else (exc.filename or "?"), exc.strerror or str(exc))


class BinaryInput(InputError):
    """A file that is not text: skipped with a warning, not an error."""


@dataclass(frozen=True, slots=True)
class Input:
    """A file to clean, and its path relative to the argument it was found under (its place below --output-dir)."""

    path: Path
    rel: Path


def find_inputs(
    paths: Iterable[str | os.PathLike],
    globs: Iterable[str] = ("*.txt",),
    *,
    exclude: Path | None = None,
    on_error=None,
) -> Iterator[Input]:
    """Files named on the command line, and files matching `globs` below folders, walked in sorted order.

    A path that does not exist raises InputError; a folder that cannot be read, or a named pipe, socket or
    device found in one (reading a pipe would wait forever), is passed to `on_error` (an InputError) and
    skipped, or raises if there is no `on_error`. A path named on the command line is read whatever it is,
    so `stripper clean <(zcat a.gz)` works. `exclude` (the output folder) is not walked.
    """
    globs = tuple(globs)
    skip = exclude.resolve() if exclude is not None else None

    def walk_error(exc: OSError) -> None:
        error = InputError.from_os(exc)
        if on_error is None:
            raise error
        on_error(error)

    for arg in paths:
        top = Path(arg)
        if top.is_dir():
            for folder, dirs, names in os.walk(top, onerror=walk_error):
                here = Path(folder)
                dirs[:] = sorted(d for d in dirs if skip is None or (here / d).resolve() != skip)
                for name in sorted(names):
                    rel = (here / name).relative_to(top)
                    if not any(rel.match(g) for g in globs):
                        continue
                    odd = _not_a_file(here / name)
                    if odd is None:
                        yield Input(here / name, rel)
                    elif on_error is None:
                        raise InputError(here / name, odd)
                    else:
                        on_error(InputError(here / name, odd))
        elif top.exists():
            yield Input(top, Path(top.name))
        else:
            raise InputError(top, "no such file or folder")


def _not_a_file(path: Path) -> str | None:
    """Why a file found below a folder is not one to read, or None. A dangling link is read, and fails, later."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    kind = "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({kind}); skipped"


def unique_targets(inputs: Iterable[Input], on_error) -> Iterator[Input]:
    """Inputs whose place below the output folder no earlier input took; the others go to `on_error`.

    Only needed for several arguments (one argument's tree has no clashes); it remembers every place.
    """
    taken: dict[Path, Path] = {}
    for item in inputs:
        first = taken.setdefault(item.rel, item.path)
        if first != item.path:
            on_error(InputError(item.path, f"skipped: {first} has the same place below the output folder"))
            continue
        yield item


def check_inputs(paths: Iterable[str | os.PathLike]) -> None:
    """Raise InputError for the first path that does not exist (before anything is written)."""
    for arg in paths:
        if not os.path.exists(arg):
            raise InputError(arg, "no such file or folder")


def count_bytes(inputs: Iterable[Input]) -> tuple[int, int]:
    """How many files, and how many bytes in them (for a progress bar)."""
    files = size = 0
    for item in inputs:
        files += 1
        try:
            size += item.path.stat().st_size
        except OSError:
            pass
    return files, size


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError.from_os(exc, path) from None


class AtomicFile:
    """A file written beside its destination and renamed over it on commit: readers see the old or the new file.

    The new file gets the old one's permissions (or the default ones); `backup` keeps the old file as
    path + backup. Discarding, or any error, removes the temporary file and leaves the destination untouched.
    """

    def __init__(self, path: str | os.PathLike, *, backup: str | None = None):
        self.path = Path(os.path.realpath(path))  # through a symlink: replace its target, keep the link
        self.backup = backup
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX, dir=self.path.parent)
        except OSError as exc:
            raise InputError.from_os(exc, self.path) from None
        self.temp = Path(temp)
        self.file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        try:
            self.file.write(data)
        except OSError as exc:
            self.discard()
            raise InputError.from_os(exc, self.path) from None

    def commit(self) -> None:
        try:
            self.file.close()
            try:
                mode = stat.S_IMODE(os.stat(self.path).st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
            else:
                if self.backup:
                    _copy(self.path, Path(f"{self.path}{self.backup}"))
            os.chmod(self.temp, mode)
            os.replace(self.temp, self.path)
        except OSError as exc:
            self.discard()
            raise InputError.from_os(exc, self.path) from None

    def discard(self) -> None:
        self.file.close()
        try:
            os.unlink(self.temp)
        except FileNotFoundError:
            pass

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def atomic_write(path: str | os.PathLike, data: bytes, *, backup: str | None = None) -> None:
    """Replace (or create) `path` with `data` atomically; see AtomicFile."""
    with AtomicFile(path, backup=backup) as out:
        out.write(data)


def _copy(source: Path, target: Path) -> None:
    """Make `target` a copy of `source` (a hard link where the file system allows), replacing it atomically."""
    temp = target.with_name(f".{target.name}{TEMP_SUFFIX}")
    try:
        os.link(source, temp)
    except OSError:
        shutil.copy2(source, temp)
    os.replace(temp, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
