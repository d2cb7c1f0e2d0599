"""--diff: a linear unified diff that agrees with difflib wherever the alignment is unambiguous."""

import difflib

from conftest import SEED_RULES
from hypothesis import given, settings
from hypothesis import strategies as st

from stripper import RuleSet, clean
from stripper.diff import unified
from stripper.files import split_with_endings


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Body %d.\n", "Advertisement\n", "\n", "Share\n", "Body %d.\r\n"]), max_size=40))
def test_diff_matches_difflib_on_texts_without_repeated_lines(shapes):
    text = "".join(shape % i if "%" in shape else shape for i, shape in enumerate(shapes))
    result = clean(text, RuleSet.load([SEED_RULES]))
    got = unified(result, "a.txt", context=2)
    if len(set(split_with_endings(text))) == len(split_with_endings(text)):
        want = "".join(
            difflib.unified_diff(
                split_with_endings(text), split_with_endings(result.text), fromfile="a.txt", tofile="a.txt", n=2
            )
        )
        assert got == want
    # whatever the alignment, the diff's old side is the input and its new side the output
    old = [line[1:] for line in got.splitlines(keepends=True) if line[:1] in " -" and not line.startswith("---")]
    new = [line[1:] for line in got.splitlines(keepends=True) if line[:1] in " +" and not line.startswith("+++")]
    assert set(old) <= set(split_with_endings(text)) and set(new) <= set(split_with_endings(result.text))
