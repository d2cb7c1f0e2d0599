"""stripper learn: a site's repeated lines become exact-line rules; article lines stay."""

import dataclasses
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stripper import clean
from stripper.corpus import Corpus, Document, Reading, documents, url_group
from stripper.learn import CopyFilter, Learner, Options, Sketch, guard, learn, learn_corpus, line_hashes, toml_string
from stripper.rules import RuleSet, load_file
from stripper.ruletest import check_rules

PAGES = 8
TEMPLATES = {
    "jns": [
        "JNS is combating the stream of misinformation with the facts.",
        "Get the best stories faster with JNS breaking news updates",
    ],
    "herald": [
        "Support independent journalism in the valley today",
        "Herald Media Group · All rights reserved",
    ],
    "tribune": [
        "The Tribune is read by 40,000 people a week.",
        "Tip us off: tips@tribune.example",
    ],
}
QUOTE = "\u201cWe will not give up,\u201d she said."  # a legitimate line shared by two articles only
BYLINE = "By Jane Doe"
DATELINE = "Monday, January 5, 2024"


def article(site: str, page: int) -> list[str]:
    """Article lines unique to one page, with the shared legitimate lines in some pages."""
    rng = random.Random(f"{site}{page}")
    words = ["council", "river", "budget", "school", "harbour", "election", "museum", "bridge"]
    lines = [f"{site.title()} story {page}: the {rng.choice(words)} plan moves ahead"]
    if page < 6:
        lines += [BYLINE, DATELINE]
    lines += [
        f"Paragraph {n} of story {page} on the {rng.choice(words)}, {rng.randint(1, 99)} residents said."
        for n in range(4)
    ]
    if page < 2:
        lines.append(QUOTE)
    if site == "jns" and page == 3:
        # Has every word of a template line but is not it: the learned rule must keep it.
        lines.append("Get the best stories faster with JNS breaking news updates, the editor promised readers.")
    return lines


def page_text(site: str, page: int) -> str:
    first, last = TEMPLATES[site]
    return "\n".join([first, "", *article(site, page), "", last]) + "\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "scraped"
    for site in TEMPLATES:
        (root / site).mkdir(parents=True)
        for page in range(PAGES):
            (root / site / f"{page}.txt").write_text(page_text(site, page), encoding="utf-8")
    return root


def learned_from(root: Path, **options):
    return learn_corpus(Corpus((str(root),)), Options(**options))


def test_learned_rules_remove_template_lines_and_keep_article_lines(corpus):
    learned = learned_from(corpus)
    rules = learned.ruleset()
    assert sorted(p.text for p in learned.accepted) == sorted(line for pair in TEMPLATES.values() for line in pair)
    for site in TEMPLATES:
        for page in range(PAGES):
            result = clean(page_text(site, page), rules)
            assert sorted(r.text for r in result.removals) == sorted(TEMPLATES[site])
            assert result.text == "\n".join(article(site, page)) + "\n"  # article lines byte for byte
            assert {r.rule.split(".")[1] for r in result.removals} == {site}


def test_counts_are_documents_and_shares_are_of_the_group(corpus):
    (corpus / "jns" / "0.txt").write_text(page_text("jns", 0) + TEMPLATES["jns"][0] + "\n" * 2 + TEMPLATES["jns"][0])
    learned = learned_from(corpus)
    proposal = next(p for p in learned.accepted if p.text == TEMPLATES["jns"][0])
    assert (proposal.docs, proposal.group_docs, proposal.share) == (PAGES, PAGES, 1.0)
    assert learned.groups == {site: PAGES for site in TEMPLATES}


def test_lines_below_the_thresholds_are_not_proposed(corpus):
    texts = {p.text for p in learned_from(corpus).proposals}
    assert QUOTE not in texts  # in 2 documents: below --min-docs 5
    assert not any("Paragraph" in t for t in texts)
    # In 6 of 8 documents: over --min-docs 5 and --min-share 0.2, but not over --min-docs 7 ...
    assert BYLINE not in {p.text for p in learned_from(corpus, min_docs=7).proposals}
    # ... nor --min-share 0.8 (6.4 documents of 8), while a template line (8 of 8) still is.
    high = {p.text for p in learned_from(corpus, min_share=0.8).proposals}
    assert BYLINE not in high and TEMPLATES["jns"][0] in high
    # At exactly the threshold a line is proposed.
    assert BYLINE in {p.text for p in learned_from(corpus, min_docs=6, min_share=0.75).proposals}


def test_bylines_and_dates_repeat_but_are_not_learned(corpus):
    learned = learned_from(corpus)
    skipped = {p.text: p.skipped for p in learned.proposals if p.skipped}
    assert skipped == {BYLINE: "byline", DATELINE: "date or number"}
    assert BYLINE not in {line for rule in learned.ruleset() for line in rule.lines}
    assert f'# not learned (byline): "{BYLINE}"' in learned.toml()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("By Jane Doe and John Smith", "byline"),
        ("Von Erika Mustermann", "byline"),
        ("12.05.2023, 10:45 Uhr", "date or number"),
        ("5 de enero de 2024", "date or number"),
        ("2024", "date or number"),
        ("\u00d7", "no words"),
        ("Updated on 5 March at 10:45", "date or number"),
        ("Of the", None),  # a close button's "×": nothing a reviewer could judge
        ("By continuing to browse you accept cookies", None),
        ("Share this article", None),
        ("Read more", None),
    ],
)
def test_guard(line, reason):
    assert guard(line) == reason


def test_counterexample_is_a_corpus_line_with_the_same_words_and_stays(corpus):
    learned = learned_from(corpus)
    proposal = next(p for p in learned.accepted if p.text == TEMPLATES["jns"][1])
    assert proposal.counterexample == (
        "Get the best stories faster with JNS breaking news updates, the editor promised readers."
    )
    assert not clean(proposal.counterexample, learned.ruleset()).removals
    assert check_rules(learned.ruleset()) == []


def test_rule_file_loads_and_passes_rules_test(corpus, tmp_path, run):
    out = tmp_path / "rules" / "learned" / "sites.toml"
    done = run("learn", corpus, "--out", out, rules=False)
    assert done.returncode == 0, done.stderr
    assert b"wrote 6 rules" in done.stderr
    rules = load_file(out)
    assert {r.kind for r in rules} == {"lines"} and len(rules) == 6
    assert all(r.examples == r.lines for r in rules)
    text = out.read_text()
    assert "# in 8 of 8 documents (100.0%)" in text
    tested = run("rules", "test", out, rules=False)
    assert tested.returncode == 0, tested.stdout
    assert b"6 rules, 7 examples checked, 0 failures" in tested.stdout


def test_category_of_a_default_rule_that_also_matches(corpus):
    learned = learn_corpus(Corpus((str(corpus),)), reference=RuleSet.default())
    categories = {p.text: (p.category, p.also) for p in learned.accepted}
    category, also = categories[TEMPLATES["jns"][1]]  # "Get the best stories faster ..." is a newsletter line
    assert category == "newsletter" and also.startswith("newsletter.")
    assert categories[TEMPLATES["tribune"][0]] == ("learned", None)


def test_dry_run_writes_nothing_and_prints_the_table(corpus, tmp_path, run):
    done = run("learn", "--no-default-rules", corpus, "--dry-run", rules=False, env=None)
    assert done.returncode == 0, done.stderr
    assert b"6 rules learned from 24 documents in 3 groups" in done.stdout
    assert b"learned.jns.get-the-best-stories" in done.stdout.replace(b"\n", b"")
    assert b"[[rule]]" not in done.stdout
    out = tmp_path / "out"
    assert run("learn", "--no-default-rules", corpus, "--dry-run", "--out", out / "x.toml", rules=False).returncode == 2
    assert not out.exists()


def test_without_out_the_rule_file_goes_to_stdout(corpus, run):
    done = run("learn", "--no-default-rules", corpus, "--quiet", rules=False)
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout.count(b"[[rule]]") == 6


def test_jsonl_shards_grouped_by_url_host(tmp_path):
    shards = tmp_path / "shards"
    shards.mkdir()
    footer = {"jns.org": "Copyright JNS, all rights reserved", "news.example": "Sent from the News Example desk"}
    for shard in range(2):
        with open(shards / f"part-{shard}.jsonl", "w", encoding="utf-8") as out:
            for n in range(6):  # the two sites interleave inside each shard
                host = "jns.org" if n % 2 else "news.example"
                url = f"https://{'www.' if n % 3 == 0 else ''}{host}/story/{shard}-{n}"
                text = f"Story {shard}-{n} begins here.\nIt has a line of its own, {shard * 10 + n}.\n{footer[host]}\n"
                out.write(json.dumps({"link": url, "body": text}) + "\n")
            out.write('{"body": "A record without a URL.\\nCopyright JNS, all rights reserved"}\n')
    corpus = Corpus((str(shards),), group_by="url", field="body", url_field="link")
    learned = learn_corpus(corpus, Options(min_docs=3))
    assert learned.groups == {"jns.org": 6, "news.example": 6, "unknown": 2}
    assert {(p.group, p.text, p.docs) for p in learned.accepted} == {
        ("jns.org", footer["jns.org"], 6),
        ("news.example", footer["news.example"], 6),
    }
    assert {p.rule_id for p in learned.accepted} == {
        "learned.jns-org.copyright-jns-all-rights-reserved",
        "learned.news-example.sent-from-the-news-example-desk",
    }
    # Grouped as one corpus, the same records give one group.
    one = learn_corpus(Corpus((str(shards),), group_by="none", field="body", name="crawl"), Options(min_docs=3))
    assert one.groups == {"crawl": 14}


def test_url_group():
    assert url_group("https://www.JNS.org/a?b") == "jns.org"
    assert url_group("http://news.example:8080/x") == "news.example"
    assert url_group("not a url") == "unknown"
    assert url_group(None) == "unknown"


def test_bad_json_lines_are_named_and_skipped(tmp_path, run):
    shard = tmp_path / "site" / "a.jsonl"
    shard.parent.mkdir()
    good = [json.dumps({"text": f"Line {n} of its own.\nFollow the Site on Mastodon\n"}) for n in range(5)]
    shard.write_text("\n".join([good[0], "{not json", *good[1:], '{"text": 3}']) + "\n")
    done = run("learn", "--no-default-rules", tmp_path, "--dry-run", rules=False)
    assert done.returncode == 0, done.stderr
    assert f"{shard}:2: not valid JSON".encode() in done.stderr
    assert f"{shard}:7: 'text' is a number, not a string; skipped".encode() in done.stderr
    assert b"Follow the Site on Mastodon" in done.stdout


def test_shard_with_bom_and_deeply_nested_line_is_read_like_clean_jsonl(tmp_path):
    """learn reads records with the same parser as `clean --jsonl`: a BOM before the first record is no error,
    and a line nested thousands deep is named and skipped, not a crash."""
    shard = tmp_path / "site" / "a.jsonl"
    shard.parent.mkdir()
    lines = [json.dumps({"text": f"Line {n}.\nFollow the Site on Mastodon\n"}).encode() for n in range(3)]
    shard.write_bytes(b"\xef\xbb\xbf" + lines[0] + b"\n" + b"[" * 100_000 + b"\n" + b"\n".join(lines[1:]) + b"\n")
    reading = Reading()
    docs = list(documents(Corpus((str(tmp_path),)), reading))
    assert [d.source for d in docs] == [f"{shard}:1", f"{shard}:3", f"{shard}:4"]
    assert reading.skipped_records == 1
    assert reading.messages == [f"{shard}:2: not valid JSON (nested too deeply); skipped"]


def test_missing_input_and_stdin_exit_2(tmp_path, run):
    done = run("learn", "--no-default-rules", tmp_path / "nope", rules=False)
    assert done.returncode == 2 and b"nope: no such file or folder" in done.stderr
    assert b"Traceback" not in done.stderr
    assert run("learn", "--no-default-rules", "-", rules=False).returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run("learn", "--no-default-rules", empty, rules=False)
    assert done.returncode == 2 and b"no documents found" in done.stderr


def test_clean_learn_applies_learned_rules_and_names_them(corpus, tmp_path, run):
    out = tmp_path / "cleaned"
    report = tmp_path / "report.jsonl"
    done = run("clean", "--learn", corpus, "-j", "1", "--output-dir", out, "--report", report, rules=False)
    assert done.returncode == 0, done.stderr
    assert b"learned 6 rules from 24 documents in 3 groups" in done.stderr
    assert (out / "herald" / "3.txt").read_text() == "\n".join(article("herald", 3)) + "\n"
    assert not list(tmp_path.rglob("*.toml"))
    rules = Counter(r["rule"] for line in report.read_text().splitlines() for r in json.loads(line)["removed"])
    assert rules["learned.tribune.tip-us-off-tips-tribune-example"] == PAGES
    assert rules["learned.herald.herald-media-group-all-rights-reserved"] == PAGES
    # A line a default rule also removes is reported with the default rule, which comes first.
    assert sum(n for rule, n in rules.items() if rule.startswith("donation.")) == PAGES


def test_clean_with_a_learned_rule_file_names_the_rule(corpus, tmp_path, run):
    rules = tmp_path / "learned.toml"
    assert run("learn", "--no-default-rules", corpus, "--out", rules, "--quiet", rules=False).returncode == 0
    done = run("clean", "--rules", rules, "--report", "-", "--check", corpus / "tribune" / "0.txt")
    assert done.returncode == 1
    removed = json.loads(done.stdout)["removed"]
    assert [r["rule"] for r in removed] == [
        "learned.tribune.the-tribune-is-read-by-40",
        "learned.tribune.tip-us-off-tips-tribune-example",
    ]


def test_the_candidate_table_never_exceeds_its_size(corpus):
    docs = list(documents(Corpus((str(corpus),))))
    learner = Learner(Options(max_candidates=3, sketch_width=4096))
    learner.count(docs)
    learner.recount(docs)
    assert learner.peak_candidates == len(learner.table) == 3
    assert learner.untracked > 0
    learned = learner.result()
    assert len(learned.proposals) <= 3 and learned.untracked == learner.untracked


def test_memory_option_sizes_the_sketch_and_the_table():
    small, large = Options.from_memory(1), Options.from_memory(64)
    assert Sketch(small.sketch_width).nbytes <= 2**20 // 2
    assert Sketch(large.sketch_width).nbytes == 64 * 2**20 // 2
    assert large.max_candidates == 64 * 2**20 * 3 // 8 // 512
    assert CopyFilter(large.filter_bits).nbytes == 64 * 2**20 // 8
    for options, budget in ((small, 2**20), (large, 64 * 2**20)):
        used = Sketch(options.sketch_width).nbytes + options.max_candidates * 512 + options.filter_bits // 8
        assert used <= budget
    assert small.max_candidates < large.max_candidates


def test_a_tiny_sketch_overcounts_but_proposals_stay_exact(corpus):
    big = learned_from(corpus)
    tiny = learned_from(corpus, sketch_width=7, count_copies=True)  # every line collides: all are candidates
    assert [(p.text, p.docs) for p in tiny.proposals] == [(p.text, p.docs) for p in big.proposals]
    # With copies left out, an overloaded sketch takes documents for copies: fewer counts, never more.
    assert learned_from(corpus, sketch_width=7).proposals == ()


def test_cli_max_memory(corpus, run):
    done = run("learn", "--no-default-rules", corpus, "--max-memory", "1", "--dry-run", rules=False)
    assert done.returncode == 0, done.stderr
    assert b"6 rules learned" in done.stdout
    assert "--max-memory" in run("learn", "--help", rules=False).stdout.decode()


def test_sketch_never_undercounts():
    rng = random.Random(7)
    sketch, truth = Sketch(64), Counter()
    for _ in range(2000):
        key = f"line {rng.randint(0, 300)}"
        truth[key] += 1
        sketch.add(*line_hashes("g", key))
    assert all(sketch.estimate(*line_hashes("g", key)) >= n for key, n in truth.items())


def test_odd_lines_make_a_valid_rule_file(tmp_path):
    odd = 'Say "hi" \\ to\tus \u2014 \u00fcber uns \x7f'
    docs = [Document(f"d{n}", "site", f"Own line {n}.\n{odd}\n") for n in range(5)]
    learned = learn(lambda: docs)
    path = tmp_path / "odd.toml"
    path.write_text(learned.toml(), encoding="utf-8")
    rules = RuleSet(tuple(load_file(path)))
    assert [r.lines for r in rules] == [(odd.strip(),)]
    assert check_rules(rules) == []
    assert toml_string("\x7f") == '"\\u007f"'


def test_reading_skips_binary_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "b.txt").write_text("Text.\n")
    reading = Reading()
    assert [d.text for d in documents(Corpus((str(tmp_path),)), reading)] == ["Text.\n"]
    assert reading.skipped_files == 1 and "binary" in reading.messages[0]


def test_copies_of_one_article_are_one_document(tmp_path):
    """The same article under six URLs must not make its lines look like a template."""
    site = tmp_path / "crawl" / "daily"
    site.mkdir(parents=True)
    footer = "Daily News Ltd, 1 Harbour Road"
    copy = ["Harbour bridge to close for a month", "Works begin on Monday, the city said.", "Ferries will run."]
    for n in range(10):
        (site / f"story-{n}.txt").write_text(f"Story {n} of its own.\nIts paragraph number {n}.\n{footer}\n")
    for n in range(6):  # the same article with a different date line each time
        (site / f"copy-{n}.txt").write_text("\n".join([*copy, footer]) + "\n")
    learned = learn_corpus(Corpus((str(tmp_path / "crawl"),)))
    assert [(p.text, p.docs, p.group_docs) for p in learned.proposals] == [(footer, 11, 16)]
    assert learned.copies == 5


def test_clean_learn_on_json_lines(tmp_path, run):
    shard = tmp_path / "in" / "site" / "a.jsonl"
    shard.parent.mkdir(parents=True)
    records = [
        {"id": n, "body": f"Own line {n} of the story.\nListen to the Site podcast every day\n"} for n in range(6)
    ]
    shard.write_text("".join(json.dumps(r) + "\n" for r in records))
    done = run("clean", "--learn", "--jsonl", "--field", "body", tmp_path / "in", "--check", "--report", "-")
    assert done.returncode == 1, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["removed"][0]["rule"] for r in reports] == ["learned.site.listen-to-the-site-podcast-every"] * 6
    assert all(len(r["removed"]) == 1 for r in reports)


def test_clean_learn_needs_paths(run):
    done = run("clean", "--learn", input="text\n")
    assert done.returncode == 2 and b"--learn needs files or folders" in done.stderr


def test_group_by_none_is_named_after_the_rule_file(corpus, tmp_path, run):
    out = tmp_path / "all-sites.toml"
    assert (
        run("learn", "--no-default-rules", corpus, "--group-by", "none", "--out", out, "-q", rules=False).returncode
        == 0
    )
    rules = load_file(out)
    assert all(r.id.startswith("learned.all-sites.") for r in rules)
    # As one group, the quote two articles of each site share is in 6 of 24 documents, over both thresholds:
    # which is why learning groups by site by default.
    assert sorted(r.lines[0] for r in rules) == sorted([QUOTE, *(line for pair in TEMPLATES.values() for line in pair)])


def test_table_shows_lines_as_text_not_markup():
    from rich.console import Console

    from stripper.report import proposals_table

    docs = [Document(f"d{n}", "s", f"Own {n}.\n[bold]Read[/bold] more\n") for n in range(5)]
    console = Console(width=200, record=True)
    console.print(proposals_table(learn(lambda: docs)))
    assert "[bold]Read[/bold] more" in console.export_text()


def test_a_rule_file_that_fails_its_own_test_is_not_written(tmp_path):
    from stripper.learn import Learned, Proposal, write_rule_file
    from stripper.rules import RuleError

    bad = Proposal(
        "s", "Subscribe now", "subscribe now", 5, 5, "learned.s.subscribe-now", counterexample="SUBSCRIBE NOW!"
    )
    learned = Learned(proposals=(bad,), documents=5, groups={"s": 5}, options=Options())
    with pytest.raises(RuleError, match="counterexample removed"):
        write_rule_file(tmp_path / "out.toml", learned)
    assert list(tmp_path.iterdir()) == []
    write_rule_file(tmp_path / "sub" / "ok.toml", dataclasses.replace(learned, proposals=()))
    assert load_file(tmp_path / "sub" / "ok.toml") == []


def test_lines_with_undecodable_bytes_are_not_learned_and_the_file_stays_utf8(tmp_path, run):
    site = tmp_path / "in" / "site"
    site.mkdir(parents=True)
    for n in range(5):  # Latin-1 bytes: kept as they are by clean, but no rule can be written for them
        (site / f"{n}.txt").write_bytes(b"Caf\xe9 du Monde newsletter\nOwn line %d.\nShared footer line\n" % n)
    out = tmp_path / "rules.toml"
    done = run("learn", "--no-default-rules", tmp_path / "in", "--out", out, rules=False)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert '# not learned (undecodable bytes): "Caf\ufffd du Monde newsletter"' in text
    assert [r.lines for r in load_file(out)] == [("Shared footer line",)]


LINES = ["Share this", "Subscribe now", "Follow us", "Read more", "Own words here", "Another line", "Footer text"]


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.lists(st.sampled_from(LINES), max_size=6)), min_size=1, max_size=30
    ),
    min_docs=st.integers(1, 6),
    min_share=st.sampled_from([0.0, 0.2, 0.5]),
    width=st.sampled_from([3, 50, 100_000]),
)
def test_proposals_are_exactly_the_lines_over_the_thresholds(docs, min_docs, min_share, width):
    """Whatever the sketch's size, the proposals are the lines a brute-force count puts over the thresholds."""
    documents_ = [Document(str(n), group, "\n".join(lines)) for n, (group, lines) in enumerate(docs)]
    options = Options(min_docs=min_docs, min_share=min_share, sketch_width=width, count_copies=True)
    learned = learn(lambda: documents_, options)
    sizes = Counter(d.group for d in documents_)
    counts = Counter((d.group, line.lower()) for d in documents_ for line in set(d.text.split("\n")) if line)
    expected = {(g, k, n) for (g, k), n in counts.items() if n >= options.threshold(sizes[g])}
    assert {(p.group, p.key, p.docs) for p in learned.proposals} == expected


def test_many_bad_records_are_counted_after_the_first_messages(tmp_path, run):
    shard = tmp_path / "site" / "a.jsonl"
    shard.parent.mkdir()
    shard.write_text(
        "not json\n" * 25 + "".join(json.dumps({"text": f"Own {n}.\nSame footer\n"}) + "\n" for n in range(5))
    )
    done = run("learn", "--no-default-rules", tmp_path, "--dry-run", rules=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(b"not valid JSON") == 20
    assert b"skipped in all: 0 files and 25 JSON Lines records" in done.stderr
    assert b"Same footer" in done.stdout


def test_sigterm_stops_learn_with_exit_130_and_no_rule_file(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from conftest import environment

    shard = tmp_path / "site" / "big.jsonl"
    shard.parent.mkdir()
    record = json.dumps({"text": "Line of its own.\nSame footer\n"}) + "\n"
    shard.write_text(record * 200_000)
    out = tmp_path / "rules.toml"
    argv = [sys.executable, "-m", "stripper", "learn", "--no-default-rules", str(tmp_path), "--out", str(out)]
    process = subprocess.Popen(argv, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err
    assert not out.exists()


def test_counterexample_found_with_punctuation_after_the_words():
    docs = [Document(f"d{n}", "s", f"Own line {n}.\nShare this article\n") for n in range(5)]
    docs.append(Document("d5", "s", "Readers may share this article, the editor said.\n"))
    (proposal,) = learn(lambda: docs).accepted
    assert proposal.counterexample == "Readers may share this article, the editor said."


def test_markdown_and_wrapped_lines_are_learned_as_the_engine_reads_them():
    import textwrap

    # html2text output: a site's footer link in Markdown and a wrapped appeal, the same on every page.
    appeal = textwrap.fill(
        "The Riverside Courier is run by volunteers who give their evenings to it. If you value what we do, "
        "consider a gift to the Courier's printing fund this winter.",
        72,
    )
    docs = []
    for n in range(6):
        story = textwrap.fill(
            f"Story {n} about the town council, which met on Monday for the {n}th time this year and agreed on "
            f"a new budget for the {n} libraries of the county, after a debate that lasted until midnight.",
            72,
        )
        link = f"[Courier home](https://c.example/?p={n % 2})"
        docs.append(Document(f"d{n}", "courier", f"{story}\n\n{appeal}\n\n{link}\n"))
    learned = learn(lambda: docs)
    lines = {line for p in learned.accepted for line in p.rule().lines}
    assert "Courier home" in lines  # the link's text, not "[Courier home](https://…)"
    assert " ".join(appeal.split()) in lines  # the wrapped paragraph, joined
    rules = learned.ruleset()
    for doc in docs:
        gone = {r.text for r in clean(doc.text, rules).removals}
        assert gone == {*appeal.splitlines(), doc.text.splitlines()[-1]}
