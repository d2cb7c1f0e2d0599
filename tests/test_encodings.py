"""Encodings: UTF-16 (by its BOM) is cleaned and written back as UTF-16; binary files are skipped with a
warning; anything else is read as UTF-8 with undecodable bytes kept exactly."""

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
