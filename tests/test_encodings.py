"""Encodings: UTF-16 (by its BOM) is cleaned and written back as UTF-16; binary files are skipped with a
warning; anything else is read as UTF-8 with undecodable bytes kept exactly."""

import base64
import json

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED

from stripper.files import BINARY, BinaryInput, InputError, decode_document, encode_document, sniff

UTF16 = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


@pytest.mark.parametrize("codec", sorted(UTF16))
def test_utf16_round_trips_through_the_library_helpers(codec):
    data = UTF16[codec] + "Caf\u00e9 \U0001f600\r\nline\n".encode(codec)
    text, found = decode_document(data, "a.txt")
    assert (text, found) == ("Caf\u00e9 \U0001f600\r\nline\n", codec)
    assert encode_document(text, found) == data


def test_sniff_tells_text_from_binary():
    assert sniff(b"plain \xff\xfe text") == "utf-8"
    assert sniff(b"\xef\xbb\xbfBOM text") == "utf-8"
    assert sniff(b"PK\x03\x04\x00\x00") == BINARY
    with pytest.raises(BinaryInput, match=r"a\.bin: looks binary"):
        decode_document(b"\x89PNG\r\n\x1a\n\x00\x00", "a.bin")
    with pytest.raises(InputError, match="not UTF-16"):
        decode_document(b"\xff\xfe\x00\xd8", "odd.txt")  # a lone high surrogate


@pytest.mark.parametrize("codec", sorted(UTF16))
@pytest.mark.parametrize("mode", ["stdin", "file", "folder"])
def test_utf16_files_are_cleaned_and_stay_utf16(run, tmp_path, codec, mode):
    data = UTF16[codec] + ARTICLE.replace("\n", "\r\n").encode(codec)
    want = UTF16[codec] + ARTICLE_CLEANED.replace("\n", "\r\n").encode(codec)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(data)
    if mode == "stdin":
        proc = run("clean", input=data)
        got = proc.stdout
    elif mode == "file":
        proc = run("clean", tmp_path / "in" / "a.txt")
        got = proc.stdout
    else:
        proc = run("clean", "-q", tmp_path / "in", "--output-dir", tmp_path / "out")
        got = (tmp_path / "out" / "a.txt").read_bytes()
    assert proc.returncode == 0, proc.stderr
    assert got == want


def test_binary_files_in_a_folder_are_skipped_with_a_warning(run, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE)
    (tmp_path / "in" / "b.txt").write_bytes(b"GIF89a\x00\x01Advertisement\n")
    proc = run("clean", "-q", tmp_path / "in", "--output-dir", tmp_path / "out")
    assert proc.returncode == 0
    assert proc.stderr.decode() == f"stripper: {tmp_path / 'in' / 'b.txt'}: looks binary (it has NUL bytes); skipped\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt"]
    assert (tmp_path / "out" / "a.txt").read_text() == ARTICLE_CLEANED


def test_binary_stdin_passes_through_untouched(run):
    data = b"\x00\x01\x02Advertisement\n\xff\x00"
    proc = run("clean", input=data)
    assert (proc.returncode, proc.stdout) == (0, data)
    assert b"looks binary" in proc.stderr


def test_latin1_bytes_survive_and_ascii_rules_still_match(run):
    data = b"Caf\xe9 owners protest new rent rules.\nAdvertisement\nM\xfcller said the plan was unfair.\n"
    proc = run("clean", input=data)
    assert proc.stdout == b"Caf\xe9 owners protest new rent rules.\nM\xfcller said the plan was unfair.\n"


def test_latin1_and_cp1252_lines_meet_the_rules_and_keep_their_bytes(run, tmp_path):
    """Rules read undecodable bytes as Windows-1252: 'Publicit\\xe9' goes like 'Publicité'; kept lines keep bytes."""
    data = (
        b"Le conseil municipal a vot\xe9 mardi.\r\n"
        b"Publicit\xe9\r\n"
        b"\x93Jetzt spenden\x94\r\n"  # cp1252 quotes
        b"La r\xe9forme entre en vigueur en janvier, \x80 100 par m\xe9nage.\r\n"
    )
    proc = run("clean", "--report", tmp_path / "report.jsonl", input=data, rules=False)
    assert proc.stdout == data.replace(b"Publicit\xe9\r\n\x93Jetzt spenden\x94\r\n", b"")
    record = json.loads((tmp_path / "report.jsonl").read_bytes())
    assert [(r["line"], r["rule"]) for r in record["removed"]] == [
        (2, "ads.fr-publicite"),
        (3, "donation.de-unterstuetzen"),
    ]
    assert base64.b64decode(record["removed"][0]["bytes"]) == b"Publicit\xe9"


def test_utf32_is_refused_as_binary(run, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes("\ufeffAdvertisement\nBody.\n".encode("utf-32-le"))
    proc = run("clean", "-q", tmp_path / "in", "--in-place")
    assert proc.returncode == 0 and b"a.txt: looks binary" in proc.stderr
    assert (tmp_path / "in" / "a.txt").read_bytes() == "\ufeffAdvertisement\nBody.\n".encode("utf-32-le")


@pytest.mark.parametrize("mode", ["stdin", "file", "folder", "in-place", "jsonl"])
def test_empty_input_gives_empty_output(run, tmp_path, mode):
    path = tmp_path / "in" / ("a.jsonl" if mode == "jsonl" else "a.txt")
    path.parent.mkdir()
    path.write_bytes(b"")
    report = tmp_path / "report.jsonl"
    if mode == "stdin":
        proc = run("clean", "--report", report, input=b"")
        out = proc.stdout
    elif mode == "file":
        proc = run("clean", "--report", report, path)
        out = proc.stdout
    elif mode == "folder":
        proc = run("clean", "-q", "--report", report, path.parent, "--output-dir", tmp_path / "out")
        out = (tmp_path / "out" / "a.txt").read_bytes()
    elif mode == "in-place":
        proc = run("clean", "-q", "--report", report, path, "--in-place")
        out = path.read_bytes()
    else:
        proc = run("clean", "--jsonl", "--report", report, path)
        out = proc.stdout
    assert (proc.returncode, proc.stderr, out) == (0, b"", b"")
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert records == ([] if mode == "jsonl" else [{**records[0], "lines": 0, "removed": []}])


ENDINGS = b"Headline\r\rBody one.\rAdvertisement\r\nBody two.\n\nAdvertisement\r\n\r\nLast line, no newline."
ENDINGS_CLEANED = b"Headline\r\rBody one.\rBody two.\n\nLast line, no newline."


@pytest.mark.parametrize("mode", ["stdin", "file", "folder", "in-place"])
def test_mixed_line_endings_round_trip_in_every_mode(run, tmp_path, mode):
    path = tmp_path / "in" / "a.txt"
    path.parent.mkdir()
    path.write_bytes(ENDINGS)
    if mode == "stdin":
        out = run("clean", input=ENDINGS).stdout
    elif mode == "file":
        out = run("clean", path).stdout
    elif mode == "folder":
        assert run("clean", "-q", path.parent, "--output-dir", tmp_path / "out").returncode == 0
        out = (tmp_path / "out" / "a.txt").read_bytes()
    else:
        assert run("clean", "-q", path, "--in-place").returncode == 0
        out = path.read_bytes()
    assert out == ENDINGS_CLEANED


def test_binary_single_file_and_in_place_are_left_alone(run, tmp_path):
    path = tmp_path / "a.txt"
    data = b"Advertisement\n\x00\x01\x02 image data\n"
    path.write_bytes(data)
    proc = run("clean", path)
    assert (proc.returncode, proc.stdout) == (0, data) and b"looks binary" in proc.stderr
    proc = run("clean", "-q", path, "--in-place")
    assert proc.returncode == 0 and path.read_bytes() == data


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        (b"0\rAdvertisement\n\n", b"0\r"),
        (b"A\rAdvertisement\n\nB\n", b"A\rB\n"),
        (b"A\rAdvertisement\n \nB\n", b"A\r \nB\n"),
    ],
)
def test_a_removal_never_joins_a_lone_cr_and_a_blank_line_into_crlf(run, text, cleaned):
    """'A\\r' then a removed line then '\\n' would come out as 'A\\r\\n': one line where there were two."""
    assert run("clean", input=text).stdout == cleaned
