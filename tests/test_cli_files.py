"""`stripper clean` on files and folders (--output-dir, --in-place, --jobs, --jsonl), `show` and `rules list`."""

import errno
import json
import os

import pytest
from conftest import ARTICLE, ARTICLE_CLEANED, PLAIN, SEED_RULES, environment

from stripper import RuleSet, batch, files
from stripper.files import Input


def tree(root) -> dict[str, bytes]:
    """Every file below root, by its path relative to root."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def make_folder(root) -> dict[str, str]:
    """A folder of articles in nested subfolders, with one file the default glob does not take."""
    contents = {
        "a.txt": ARTICLE,
        "plain.txt": PLAIN,
        "world/b.txt": "Headline\n\nAdvertisement\nBody of the story.\n",
        "world/europe/c.txt": ARTICLE,
        "world/europe/notes.md": ARTICLE,
    }
    for name, text in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return contents


# -- folders and files


def test_folder_to_output_dir_mirrors_the_tree_and_leaves_inputs_alone(run, tmp_path):
    src = tmp_path / "in"
    contents = make_folder(src)
    before = tree(src)
    proc = run("clean", src, "--output-dir", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert tree(src) == before
    assert tree(tmp_path / "out") == {
        "a.txt": ARTICLE_CLEANED.encode(),
        "plain.txt": PLAIN.encode(),
        "world/b.txt": b"Headline\n\nBody of the story.\n",
        "world/europe/c.txt": ARTICLE_CLEANED.encode(),
    }
    assert "world/europe/notes.md" in contents  # not taken: the default --glob is *.txt


def test_glob_picks_other_files(run, tmp_path):
    src = tmp_path / "in"
    make_folder(src)
    proc = run("clean", src, "--glob", "*.md", "--output-dir", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert tree(tmp_path / "out") == {"world/europe/notes.md": ARTICLE_CLEANED.encode()}


def test_single_file_goes_to_stdout(run, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    proc = run("clean", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == ARTICLE_CLEANED
    assert path.read_text() == ARTICLE


@pytest.mark.parametrize("args", [["a.txt", "b.txt"], ["folder"]])
def test_several_inputs_or_a_folder_need_somewhere_to_write(run, tmp_path, args):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.txt").write_text(ARTICLE)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "c.txt").write_text(ARTICLE)
    proc = run("clean", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert "--output-dir" in err and "--in-place" in err and "Traceback" not in err
    assert (tmp_path / "a.txt").read_text() == ARTICLE


def test_single_file_to_output_dir_or_in_place(run, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    proc = run("clean", path, "--output-dir", tmp_path / "out")
    assert proc.returncode == 0 and proc.stdout == b"", proc.stderr
    assert tree(tmp_path / "out") == {"a.txt": ARTICLE_CLEANED.encode()}
    proc = run("clean", path, "--in-place")
    assert proc.returncode == 0 and proc.stdout == b"", proc.stderr
    assert path.read_text() == ARTICLE_CLEANED


# -- in place


def test_in_place_replaces_changed_files_only(run, tmp_path):
    src = tmp_path / "in"
    make_folder(src)
    plain = src / "plain.txt"
    os.utime(plain, (1_000_000_000, 1_000_000_000))
    inode = plain.stat().st_ino
    proc = run("clean", src, "--in-place")
    assert proc.returncode == 0, proc.stderr
    assert tree(src) == {
        "a.txt": ARTICLE_CLEANED.encode(),
        "plain.txt": PLAIN.encode(),
        "world/b.txt": b"Headline\n\nBody of the story.\n",
        "world/europe/c.txt": ARTICLE_CLEANED.encode(),
        "world/europe/notes.md": ARTICLE.encode(),
    }
    assert plain.stat().st_mtime == 1_000_000_000 and plain.stat().st_ino == inode  # not rewritten


def test_in_place_with_backup_keeps_the_originals(run, tmp_path):
    src = tmp_path / "in"
    make_folder(src)
    proc = run("clean", src, "--in-place", "--backup", ".orig")
    assert proc.returncode == 0, proc.stderr
    assert tree(src) == {
        "a.txt": ARTICLE_CLEANED.encode(),
        "a.txt.orig": ARTICLE.encode(),
        "plain.txt": PLAIN.encode(),  # unchanged: no backup needed
        "world/b.txt": b"Headline\n\nBody of the story.\n",
        "world/b.txt.orig": b"Headline\n\nAdvertisement\nBody of the story.\n",
        "world/europe/c.txt": ARTICLE_CLEANED.encode(),
        "world/europe/c.txt.orig": ARTICLE.encode(),
        "world/europe/notes.md": ARTICLE.encode(),
    }
    # a second run changes nothing and leaves the backups alone
    assert run("clean", src, "--in-place", "--backup", ".orig").returncode == 0
    assert (src / "a.txt.orig").read_text() == ARTICLE


def test_in_place_keeps_permissions(run, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    path.chmod(0o640)
    assert run("clean", path, "--in-place").returncode == 0
    assert path.read_text() == ARTICLE_CLEANED
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_in_place_in_a_read_only_folder_keeps_the_original(run, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "a.txt"
    path.write_text(ARTICLE)
    folder.chmod(0o555)
    try:
        proc = run("clean", path, "--in-place")
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2
    assert str(path) in proc.stderr.decode() and b"Traceback" not in proc.stderr
    assert tree(folder) == {"a.txt": ARTICLE.encode()}


def in_place_cleaner(backup=None) -> batch.Cleaner:
    return batch.Cleaner(RuleSet.load([SEED_RULES]), batch.Plan(write=batch.IN_PLACE, backup=backup))


def test_in_place_keeps_the_original_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)

    def fail(src, dst):
        raise OSError(errno.EIO, "Input/output error", str(dst))

    monkeypatch.setattr(files.os, "replace", fail)
    outcome = in_place_cleaner().file(Input(path, path.relative_to(tmp_path)))
    assert outcome.error and outcome.tally.errors == 1
    (message,) = outcome.messages
    assert str(path) in message and "Input/output error" in message
    assert tree(tmp_path) == {"a.txt": ARTICLE.encode()}  # the original, and no temporary file


def test_in_place_keeps_the_original_when_the_write_fails(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)

    class Full:
        def __init__(self, file):
            self.file = file

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.file.close()

    real_fdopen = os.fdopen
    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    outcome = in_place_cleaner(backup=".bak").file(Input(path, path.relative_to(tmp_path)))
    assert outcome.error
    assert "No space left" in outcome.messages[0]
    assert tree(tmp_path) == {"a.txt": ARTICLE.encode()}


# -- parallel runs


def test_jobs_1_and_2_give_identical_files_and_reports(run, tmp_path):
    src = tmp_path / "in"
    for i in range(50):
        text = ARTICLE if i % 3 else PLAIN
        path = src / f"part{i % 4}" / f"story{i:02}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Story {i}.\n\n{text}" + "Advertisement\n" * (i % 2))
    results = {}
    for jobs in ("1", "2"):
        out, report = tmp_path / f"out{jobs}", tmp_path / f"report{jobs}.jsonl"
        proc = run("clean", src, "--output-dir", out, "--report", report, "--jobs", jobs)
        assert proc.returncode == 0, proc.stderr
        results[jobs] = tree(out), report.read_bytes()
    assert len(results["1"][0]) == 50
    assert results["1"] == results["2"]
    records = [json.loads(line) for line in results["1"][1].splitlines()]
    assert len(records) == 50
    assert [r["source"] for r in records] == sorted(r["source"] for r in records)  # in input order


# -- JSON Lines

RECORDS = [
    b'{"id": "a", "body": "Headline\\n\\nAdvertisement\\nBody.\\n", "n": 1}\n',
    b"this is not json\n",
    b'{"id": "b", "text": "no body field"}\n',
    b'{"id": "c", "body": "Nothing to remove."}\n',
]


def jsonl_errors(err: str, name) -> None:
    assert f"{name}:2: not valid JSON" in err
    assert f"{name}:3: no 'body' field" in err
    assert "Traceback" not in err


@pytest.fixture
def records(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"".join(RECORDS))
    return path


def test_jsonl_cleans_the_field_and_passes_bad_lines(run, records):
    proc = run("clean", "--jsonl", "--field", "body", records)
    assert proc.returncode == 0, proc.stderr
    jsonl_errors(proc.stderr.decode(), records)
    lines = proc.stdout.splitlines(keepends=True)
    assert len(lines) == 4
    first = json.loads(lines[0])
    assert first == {
        "id": "a",
        "body": "Headline\n\nBody.\n",
        "n": 1,
        "stripper": {
            "lines": 4,
            "removed": [{"line": 3, "text": "Advertisement", "rule": "ads.marker", "category": "ads"}],
            "kept_chars": len("Headline\n\nBody.\n"),
            "removed_chars": len("Advertisement"),
        },
    }
    assert lines[1:3] == RECORDS[1:3]  # passed through byte for byte
    last = json.loads(lines[3])
    assert last["body"] == "Nothing to remove." and last["stripper"]["removed"] == []


def test_jsonl_skip_drops_bad_lines(run, records):
    proc = run("clean", "--jsonl", "--field", "body", "--on-bad-json", "skip", records)
    assert proc.returncode == 0, proc.stderr
    jsonl_errors(proc.stderr.decode(), records)
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["a", "c"]


def test_jsonl_error_stops_with_exit_2(run, records):
    proc = run("clean", "--jsonl", "--field", "body", "--on-bad-json", "error", records)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert f"{records}:2: not valid JSON" in err and "Traceback" not in err
    assert b"this is not json" not in proc.stdout
    # the records before the bad line come out, whichever batch they are in
    (first,) = proc.stdout.splitlines()
    assert json.loads(first)["id"] == "a"


def test_jsonl_from_stdin_names_the_lines(run):
    proc = run("clean", "--jsonl", "--field", "body", input=b"".join(RECORDS))
    assert proc.returncode == 0
    jsonl_errors(proc.stderr.decode(), "<stdin>")
    assert len(proc.stdout.splitlines()) == 4


def test_jsonl_error_in_place_leaves_the_file(run, records):
    proc = run("clean", "--jsonl", "--field", "body", "--on-bad-json", "error", "--in-place", records)
    assert proc.returncode == 2
    assert records.read_bytes() == b"".join(RECORDS)
    assert [p.name for p in records.parent.iterdir()] == ["docs.jsonl"]


def test_jsonl_folder_to_output_dir(run, tmp_path, records):
    proc = run("clean", "--jsonl", "--field", "body", tmp_path, "--output-dir", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    lines = (tmp_path / "out" / "docs.jsonl").read_bytes().splitlines(keepends=True)
    assert json.loads(lines[0])["body"] == "Headline\n\nBody.\n"
    assert lines[1:3] == RECORDS[1:3]


# -- show and rules list


def show(run, cwd, *args):
    proc = run("show", *args, cwd=cwd, env=environment(NO_COLOR="1", COLUMNS="80"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "\x1b[" not in out
    return [line.rstrip() for line in out.splitlines()]


def test_show_puts_removed_lines_in_place_with_their_rule(run, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    lines = show(run, tmp_path, "a.txt")
    assert lines[0] == "a.txt  4 of 12 lines removed: 1 ads, 1 paywall, 1 registration, 1 social"
    assert lines[2] == " 1   City council approves new bike lanes"
    assert " 3   By Jane Doe" in lines
    assert any(line.startswith(" 5   The city council voted 7-2") for line in lines)
    removed = [line for line in lines if line[3:4] == "-"]
    assert [line.split()[0] for line in removed] == ["6", "9", "10", "12"]
    assert [line.split()[-1] for line in removed] == [
        "ads.marker",
        "paywall.counter",
        "registration.full-access",
        "social.share",
    ]
    assert removed[0].startswith(" 6 - Advertisement ")
    assert removed[1].startswith(" 9 - You have read 3 articles this month. ")


def test_show_names_the_category_when_the_id_does_not(run, tmp_path):
    rules = tmp_path / "site.toml"
    rules.write_text(
        'category = "ads"\nlang = "en"\n\n[[rule]]\nid = "site.promo"\ndescription = "Promo."\n'
        'lines = ["Buy the print edition"]\nexamples = ["Buy the print edition"]\n'
    )
    path = tmp_path / "a.txt"
    path.write_text("Body.\nBuy the print edition\nEnd.\n")
    lines = show(run, tmp_path, "a.txt", "--rules", rules)
    assert lines[2] == "1   Body."
    assert lines[3].startswith("2 - Buy the print edition") and lines[3].endswith("site.promo (ads)")
    assert lines[4] == "3   End."


def test_show_only_removed_lists_the_removed_lines(run, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    lines = show(run, tmp_path, "a.txt", "--only-removed")
    assert lines[0] == "a.txt  4 of 12 lines removed: 1 ads, 1 paywall, 1 registration, 1 social"
    assert lines[2].split() == ["line", "rule", "category", "text"]
    rows = [line.split() for line in lines[4:] if line.strip()]
    assert rows[0] == ["6", "ads.marker", "ads", "Advertisement"]
    assert rows[1][:3] == ["9", "paywall.counter", "paywall"]
    assert ["10", "registration.full-access", "registration"] == rows[-3][:3]
    assert rows[-1] == ["12", "social.share", "social", "Share", "this", "article"]
    text = "\n".join(lines)
    assert "City council" not in text and "By Jane Doe" not in text


def test_rules_list_select_ads_lists_only_ads_rules(run):
    proc = run("rules", "list", "--select", "ads", env=environment(NO_COLOR="1"))
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.decode().splitlines() if line.strip()]
    assert rows[0] == ["id", "category", "lang", "kind", "description"]
    assert rows[1:] == [["ads.marker", "ads", "en", "phrases", "Advertisement", "marker", "line."]]
    everything = run("rules", "list", env=environment(NO_COLOR="1")).stdout.decode()
    assert "social.share" in everything and "paywall.counter" in everything


def test_rules_list_marks_near_rules(run):
    proc = run(
        "rules",
        "list",
        "--select",
        "paywall.de-near-abo,ads.marker,newsletter.mul-menu-item",
        rules=False,
        env=environment(NO_COLOR="1", COLUMNS="200"),
    )
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line.split()[3:5] for line in proc.stdout.decode().splitlines()[1:] if line[:1] == " "}
    assert rows["paywall.de-near-abo"] == ["pattern", "(near)"]
    assert rows["ads.marker"][0] == "phrases" and rows["ads.marker"][1] != "(near)"
    assert rows["newsletter.mul-menu-item"] == ["phrases", "(menu)"]
