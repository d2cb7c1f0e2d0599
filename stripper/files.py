"""Bytes in and out: kept lines must come out exactly as they went in."""

from __future__ import annotations

ENCODING = "utf-8"
ERRORS = "surrogateescape"  # undecodable bytes survive the round trip unchanged


def decode(data: bytes) -> str:
    return data.decode(ENCODING, ERRORS)


def encode(text: str) -> bytes:
    return text.encode(ENCODING, ERRORS)
