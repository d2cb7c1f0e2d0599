"""Streaming: cleaning window by window gives exactly what cleaning the whole text gives."""

import io
import itertools
import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stripper import RuleSet, clean, wrap
from stripper.files import decode, encode
from stripper.stream import clean_stream, windows

HERE = Path(__file__).parent
RULES = RuleSet.load([HERE / "rules" / "seed.toml"])
# The same rules with one-line blocks: windows can be cut after four plain lines, so short texts get cut too.
SHORT_BLOCKS = RuleSet(tuple(replace(r, max_lines=1) if r.kind == "block" else r for r in RULES))
SEED = next((p for p in (HERE.parents[1] / "shared", HERE.parents[2] / "shared") if p.is_dir()), HERE) / "examples"
SEED_TEXT = SEED / "jns-ukraine.txt"


@pytest.fixture(autouse=True, scope="module")
def early_wrap_detection():
    """Judge wrapping from the first 6 lines instead of 200, so that the short texts here are cut too (no cut
    comes before the text's wrap width is known)."""
    kept = wrap.DETECT_LINES
    wrap.DETECT_LINES = 6
    yield
    wrap.DETECT_LINES = kept


def assert_same_as_whole(data: bytes, min_lines: int, rules: RuleSet = RULES) -> int:
    whole = clean(decode(data), rules)
    pieces = list(clean_stream(io.BytesIO(data), rules, min_lines=min_lines))
    assert encode("".join(p.text for p in pieces)) == encode(whole.text)
    assert [r for p in pieces for r in p.removals] == list(whole.removals)
    assert sum(p.lines for p in pieces) == whole.lines
    return len(pieces)


@pytest.mark.skipif(not SEED_TEXT.exists(), reason="shared examples not present")
@pytest.mark.parametrize("min_lines", [0, 1, 3, 40, 200])
def test_seed_article_streams_to_the_same_result(min_lines):
    data = SEED_TEXT.read_bytes()
    pieces = assert_same_as_whole(data * 6, min_lines)
    if min_lines < 40:
        assert pieces > 3  # it really was cut


# Boilerplate the seed rules remove, lines the context pass acts on, and plain sentences.
BOILERPLATE = [
    "Advertisement",
    "You have read 3 articles this month.",
    "Register to receive full access to JNS.",
    "Just before you scroll on...",
    "Become a part of our mission by donating today",
    "Israel is at war.",
    "Only $1.",
    "A repeated caption line here about it.",
    "Share this article",
    "\ufeffA line that starts with a byte order mark.",
    "\u200b",
    "",
    " ",
]
sentence = st.integers(0, 40).map(lambda n: f"Article sentence number {n} of the story.")
line_text = st.one_of(st.sampled_from(BOILERPLATE), *[sentence] * 6, st.text(st.characters(codec="utf-8"), max_size=12))
ending = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", ""])
document = st.lists(st.tuples(line_text, ending), min_size=5, max_size=80).map(
    lambda parts: "".join(a + b for a, b in parts)
)


@settings(max_examples=400, deadline=None)
@given(document, st.integers(0, 6), st.booleans(), st.sampled_from([b"", b"\xff", b"\xc3"]), st.booleans())
def test_any_text_streams_to_the_same_result(text, min_lines, bom, junk, short_blocks):
    data = (b"\xef\xbb\xbf" if bom else b"") + encode(text).replace(b"e", b"e" + junk, 3)
    assert_same_as_whole(data, min_lines, SHORT_BLOCKS if short_blocks else RULES)


def test_cut_lines_are_never_boilerplate_and_windows_overlap_by_one_line():
    text = "".join(f"Sentence {i} of a long article.\n" for i in range(60)) + "Advertisement\n"
    found = list(windows(io.BytesIO(text.encode()), RULES, min_lines=5))
    assert len(found) > 2
    for a, b in itertools.pairwise(found):
        assert b.text.startswith(a.overlap) and a.text.endswith(a.overlap)
    assert found[-1].overlap == ""


def test_output_starts_before_the_input_ends():
    def lines():
        for i in range(1000):
            yield f"Sentence {i} of a long article.\n".encode()
        raise AssertionError("read to the end before writing anything")

    first = next(clean_stream(lines(), RULES, min_lines=50))
    assert first.text.startswith("Sentence 0 of a long article.\n")


@pytest.mark.parametrize("rules", [RULES, SHORT_BLOCKS], ids=["seed", "short-blocks"])
def test_long_random_texts_stream_to_the_same_result(rules):
    rng = random.Random(3)
    cuts = 0
    for _ in range(150):
        lines = []
        for _ in range(rng.randint(20, 300)):
            pick = rng.random()
            line = rng.choice(BOILERPLATE) if pick < 0.25 else f"Article sentence number {rng.randint(0, 30)} here."
            lines.append(line + rng.choice(["\n", "\n", "\n", "\r\n", "\r"]))
        data = encode("".join(lines)).replace(b"number 7", b"number \xff7")
        cuts += assert_same_as_whole(data, rng.randint(0, 30), rules) - 1
    assert cuts > 150
