"""Hard-wrapped text (html2text, lynx, fmt): wrapped paragraphs are judged whole; Markdown links read as text."""

import io
import random
import subprocess
import sys
import textwrap

import pytest

from stripper import RuleSet, clean, wrap
from stripper.engine import split_lines
from stripper.files import encode
from stripper.normalize import markdown_text
from stripper.stream import clean_stream

# What `html2text` 2025.4.15 prints for a short story page (its default: wrap at 78 columns, Markdown links).
STORY = """\
# Minister resigns over budget row

The minister resigned on Tuesday after weeks of pressure from his own party
over the budget, which critics said would cut funding for schools and
hospitals across the country.

Advertisement

You have read 3 of your 5 free articles this month. [Subscribe
now](https://example.com/subscribe) for unlimited access to award-winning
journalism.

  * [Share on Facebook](https://facebook.com/sharer?u=x)
  * [Share on Twitter](https://twitter.com/intent/tweet)

[Sign up for our newsletter](https://example.com/newsletter)

Photo: Getty Images

He will be replaced by his deputy, officials said. The deputy, a former
teacher, has served in the cabinet since 2019 and is expected to present a
revised budget next month.

"""
BOILERPLATE = {7, 9, 10, 11, 13, 14, 16, 18}


@pytest.fixture(scope="module")
def default() -> RuleSet:
    return RuleSet.default()


def paragraphs(sentences, width):
    return "\n\n".join(textwrap.fill(s, width) for s in sentences) + "\n"


ARTICLE = [
    "The council voted on Monday to close the old bridge to cars from next spring, after engineers found "
    "cracks in two of its piers that they said could not be repaired at a reasonable cost.",
    "Residents who live on the eastern bank will have to drive an extra twelve kilometres to reach the "
    "hospital, and several of them told the meeting that the detour would cost them an hour a day.",
    "The mayor said the city had applied for federal money to build a new crossing, but that a decision "
    "was not expected before the end of next year and that construction would take at least three years.",
    "Shop owners near the bridge fear that fewer customers will come once traffic stops, and some have "
    "already asked the council for lower rents during the works.",
]


def test_width_is_found_for_wrapped_text_and_none_for_a_line_per_paragraph():
    for w in (60, 72, 78, 100):
        lines = split_lines(paragraphs(ARTICLE * 2, w))[0]
        found = wrap.width(lines)
        assert found is not None and w - 12 <= found <= w, (w, found)
    # Scraped text with one line per paragraph, and a menu of short lines, are not wrapped.
    assert wrap.width(split_lines("\n".join(ARTICLE * 2) + "\n")[0]) is None
    menu = ["Home", "World", "Business news and markets today", "Sport", "Culture and the arts this week"] * 20
    assert wrap.width(menu) is None
    assert wrap.width(split_lines(STORY)[0]) is not None
    # Wrapped, but no blank line between paragraphs: where each ends is a guess, so it is read line by line.
    assert wrap.width(split_lines("\n".join(textwrap.fill(s, 78) for s in ARTICLE * 2) + "\n")[0]) is None


def test_a_heading_after_a_nearly_full_last_line_is_not_glued_to_its_paragraph(default):
    disclosure = "Letzte Aktualisierung am 2.02.2022 / Bei den Verlinkungen handelt es sich um Affiliate Links / " + (
        "Bilder von der Amazon Product Advertising API"
    )
    heading = "Elektronisches Katzenspielzeug – was ist das überhaupt?"
    text = "\n".join([*(textwrap.fill(s, 78) for s in ARTICLE), textwrap.fill(disclosure, 78), heading, ARTICLE[0]])
    assert wrap.width(split_lines(text)[0]) is None
    assert heading not in {r.text for r in clean(text + "\n", default).removals}
    # Read as wrapped, the heading would be the end of the disclosure's paragraph, and go with it.
    assert heading in {r.text for r in clean(text + "\n", default, width=77).removals}


def test_wrapped_paragraphs_are_units_and_list_items_and_headings_are_not_joined():
    lines = split_lines(STORY)[0]
    w = wrap.width(lines)
    multi = [list(u) for u in wrap.units(lines, w) if len(u) > 1]
    assert multi == [[2, 3, 4], [8, 9, 10], [19, 20, 21]]
    assert wrap.join(["award-", "winning journalism"]) == "award-winning journalism"
    assert wrap.join(["read 3 free", "articles"]) == "read 3 free articles"


def test_html2text_story_loses_whole_boilerplate_paragraphs_and_keeps_the_article(default):
    result = clean(STORY, default)
    assert {r.line for r in result.removals} == BOILERPLATE
    lines = STORY.splitlines(keepends=True)
    # The article's lines, byte for byte; of the blank lines between removed paragraphs, one run stays.
    assert result.text == "".join(lines[:6] + lines[19:])
    assert "now](https://example.com/subscribe)" not in result.text  # no torn sentence


def test_line_by_line_the_same_story_is_torn(default):
    # What this module fixes: judged line by line, the counter's first line goes and its tail stays.
    gone = {r.line for r in clean(STORY, default, width=None).removals}
    assert 9 in gone and 10 not in gone


def test_a_wrapped_article_paragraph_quoting_boilerplate_stays_whole(default):
    quote = (
        "You have read 3 of your 5 free articles this month. That was the message that greeted readers of "
        "the Herald on Tuesday, when the paper switched on its new metered paywall after a year of losses."
    )
    text = paragraphs([ARTICLE[0], quote, ARTICLE[1], ARTICLE[2]], 78)
    assert not clean(text, default).removals
    # Line by line, its first line would have gone.
    assert clean(text, default, width=None).removals


def test_markdown_links_images_and_emphasis_read_as_text():
    assert markdown_text("[Share on Facebook](https://facebook.com/sharer?u=x)") == "Share on Facebook"
    assert markdown_text("**Read more:** [Budget row](/x)") == "Read more: Budget row"
    assert markdown_text('![Photo: AP](https://x/y.jpg "title")') == "Photo: AP"
    assert markdown_text("![](https://x/y.jpg)") == "![](https://x/y.jpg)"  # nothing left: stays a line
    assert markdown_text(r"1\. Punkt") == "1. Punkt"
    assert markdown_text("a [link (x)](https://en.wikipedia.org/wiki/A_(b)) z") == "a link (x) z"
    assert markdown_text("snake__case") == "snake__case"


def test_markdown_lines_come_out_byte_for_byte(default):
    text = "[Sign up for our newsletter](https://example.com/n)\r\n**Bold** claim about [the bridge](/b).\r\n"
    result = clean(text, default)
    assert result.text == "**Bold** claim about [the bridge](/b).\r\n"


@pytest.mark.parametrize("seed", [1, 2])
def test_wrapped_text_streams_to_the_same_result(default, seed):
    rng = random.Random(seed)
    boiler = [
        "You have read 3 of your 5 free articles this month. Subscribe now for unlimited access to our "
        "award-winning journalism.",
        "Advertisement",
        "Sign up for our newsletter",
        "Support independent journalism with a donation today and help us keep our reporting free for all.",
    ]
    parts = [rng.choice(boiler) if rng.random() < 0.1 else f"{n}. {rng.choice(ARTICLE)}" for n in range(900)]
    text = paragraphs(parts, rng.choice([72, 78]))
    whole = clean(text, default)
    assert whole.removals and wrap.width(split_lines(text)[0])
    pieces = list(clean_stream(io.BytesIO(encode(text)), default))
    assert len(pieces) > 2
    assert "".join(p.text for p in pieces) == whole.text
    assert [r for p in pieces for r in p.removals] == list(whole.removals)


def test_cli_cleans_html2text_output_from_stdin():
    done = subprocess.run(
        [sys.executable, "-m", "stripper", "clean"], input=STORY.encode(), capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "free articles" not in out and "for unlimited access" not in out and "Share on" not in out
    assert "The minister resigned on Tuesday after weeks of pressure from his own party\n" in out
