"""The normalised view of a line that rules match against."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Applied after NFKC and casefold: typographic variants that NFKC leaves alone.
_TABLE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc\u2039\u203a", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", None),
    }
)

# Trimmed from both ends when a rule must match the whole line.
TRIM = " \t-*\u2022\u00b7\u25aa\u25cf\u25ba\u25b6\u2192|>:.,;!?\"'()[]/#_~=+"


# Icon-font glyphs (Font Awesome, Material Icons …) sit in the Private Use Area and leak into scraped text
# ("\ue019 Mehr zum Thema:"); rules see a space where one was.
_PRIVATE_USE = "\ue000-\uf8ff"

# str.translate looks every character up in the table; a regex finds the few that change much faster.
_TYPOGRAPHIC = re.compile("[" + re.escape("".join(map(chr, _TABLE))) + _PRIVATE_USE + "]")


def _unify(match: re.Match) -> str:
    return _TABLE.get(ord(match.group()), " ") or ""


# Markdown, as html2text and pandoc write it: rules see a link's or image's text, not its address.
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_MD_EMPHASIS = re.compile(r"\*\*|(?<!\w)__|__(?!\w)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def markdown_text(line: str) -> str:
    """The line with Markdown links, images, bold markers and backslash escapes reduced to their text:
    "[Share on Facebook](https://facebook.com/sharer?u=…)" reads "Share on Facebook".

    A line that would read as nothing (an image without alt text) is returned unchanged, so it still counts
    as a line between its neighbours.
    """
    text = _MD_ESCAPE.sub(r"\1", _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", _MD_IMAGE.sub(r"\1", line))))
    return text if text.strip() else line


def normalise(line: str) -> str:
    """NFKC, casefold, unify quotes/dashes/spaces, drop zero-width characters, trim."""
    if line.isascii():
        return " ".join(line.lower().split())
    text = _TYPOGRAPHIC.sub(_unify, unicodedata.normalize("NFKC", line).casefold())
    return " ".join(text.split())


def normalise_lines(lines: Sequence[str]) -> list[str]:
    """[normalise(line) for line in lines], with one NFKC/casefold pass over all non-ASCII lines together.

    Lines must not contain line breaks (they are the separator); none of the steps adds or removes one.
    """
    out = [" ".join(line.lower().split()) if line.isascii() else "" for line in lines]
    wide = [i for i, line in enumerate(lines) if not line.isascii()]
    if wide:
        joined = "\n".join([lines[i] for i in wide])
        parts = _TYPOGRAPHIC.sub(_unify, unicodedata.normalize("NFKC", joined).casefold()).split("\n")
        if len(parts) != len(wide):  # a line break inside a line: do them one by one
            return [normalise(line) for line in lines]
        for i, text in zip(wide, parts, strict=True):
            out[i] = " ".join(text.split())
    return out


# List markers of text renderings, dropped from the start of a line before "start" and
# "phrase" rules see it, so that "* Click to share ..." meets a rule anchored with ^.
BULLETS = " -*\u2022\u00b7\u25aa\u25cf\u25ba\u25b6\u2192|>+"


def lead(normalised: str) -> str:
    """The normalised line without the list markers (bullets, dashes, arrows) in front.

    Unlike core(), a leading "o " stays: it is a word in Portuguese, Italian and Spanish.
    """
    return normalised.lstrip(BULLETS)


def core(normalised: str) -> str:
    """The normalised line without surrounding bullets, quotes and punctuation."""
    trimmed = normalised.strip(TRIM)
    if trimmed.startswith("o "):  # the nested-list bullet of text renderings (inscriptis, lynx)
        return trimmed[2:].strip(TRIM)
    return trimmed
