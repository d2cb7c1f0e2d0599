"""`stripper dask` and stripper.distributed on a real dask.distributed LocalCluster of two worker processes.

The reference for every output is the local `stripper clean --jsonl --output-dir --report` run on the same
shards: the Dask run must write the same bytes and count the same removals.
"""

import gzip
import json
import logging
import random
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="needs the dask extra (pip install '.[test]' has it)")
pytest.importorskip("fsspec", reason="needs the dask extra (pip install '.[test]' has it)")

from conftest import ARTICLE, PLAIN, SEED_RULES, environment
from distributed import Client, LocalCluster

from stripper import RuleSet
from stripper.batch import BATCH_LINES
from stripper.distributed import REPORTS, clean_shards, find_shards, worker_problem
from stripper.files import InputError
from stripper.jsonl import Options

SHARDS = {  # shard -> number of records; one spans several batches, one is empty, one is in a subfolder
    "a.jsonl": 40,
    "b.jsonl": BATCH_LINES * 2 + 17,
    "c.jsonl": 1,
    "empty.jsonl": 0,
    "sub/d.jsonl": 90,
    "sub/e.jsonl": 33,
}
BAD_LINES = (b"this is not json\n", b'{"id": "x", "body": 3}\n', b"[1, 2]\n", b"\n")


def record(rng: random.Random, n: int) -> bytes:
    """One JSON Lines record of boilerplate and article lines, endings and characters of many kinds."""
    text = rng.choice([ARTICLE, PLAIN, ARTICLE.replace("\n", "\r\n"), "Caf\u00e9 \u2014 \u65e5\u672c\n" + ARTICLE])
    if rng.random() < 0.2:
        text += "Never miss a thing\nThe end, \ud800 with a lone surrogate."
    fields = {"id": f"doc-{n}", "body": text, "meta": {"n": n, "tags": ["x", None, 1.5]}}
    escaped = "\ud800" in text or rng.random() < 0.5  # a lone surrogate only as its \\u escape
    line = json.dumps(fields, ensure_ascii=escaped).encode() + b"\n"
    return rng.choice(BAD_LINES) if rng.random() < 0.05 else line


def write_shards(root: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    for name, count in SHARDS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(record(rng, n) for n in range(count)))
    return root


@pytest.fixture(scope="module")
def client():
    """A real cluster: a scheduler and two worker processes, shared by this module's tests (it takes seconds)."""
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    return write_shards(tmp_path_factory.mktemp("shards") / "in")


@pytest.fixture(scope="module")
def local(shards, tmp_path_factory):
    """The local command's output and report for the shards: what the Dask run must reproduce."""
    from conftest import stripper

    out = tmp_path_factory.mktemp("local")
    proc = stripper("clean", "--jsonl", "--field", "body", shards, "-o", out / "out", "--report", out / "report.jsonl")
    assert proc.returncode == 0, proc.stderr
    return out


def report_lines(path: Path) -> list[bytes]:
    return sorted(path.read_bytes().splitlines())


def dask_reports(out: Path) -> list[bytes]:
    return sorted(line for name in SHARDS for line in (out / REPORTS / name).read_bytes().splitlines())


def categories(lines: list[bytes]) -> Counter:
    return Counter(r["category"] for line in lines for r in json.loads(line)["removed"])


def test_shards_clean_byte_identical_to_the_local_command(client, shards, local, tmp_path):
    out = tmp_path / "out"
    found = find_shards([str(shards)], str(out))
    results = list(clean_shards(client, found, RuleSet.load([SEED_RULES]), Options(field="body")))

    assert sorted(r.shard.name for r in results) == sorted(str(shards / name) for name in SHARDS)
    assert all(r.written for r in results)
    for name in SHARDS:
        assert (out / name).read_bytes() == (local / "out" / name).read_bytes(), name
    # the report shards, together, are the local report (whose documents are named the same way)
    assert dask_reports(out) == report_lines(local / "report.jsonl")
    totals = Counter()
    for result in results:
        totals.update(result.tally.categories)
    expected = categories(report_lines(local / "report.jsonl"))
    assert totals == expected and expected["paywall"] > 100 and expected["newsletter"] > 10
    assert sum(r.tally.documents for r in results) == len(report_lines(local / "report.jsonl"))
    assert sum(r.tally.bad_lines for r in results) > 0  # bad lines were met, passed through and counted
    assert not list(out.rglob("*.tmp-*"))


def test_the_rule_set_is_compiled_once_per_worker_not_per_shard(client, shards, tmp_path):
    def count_matchers():  # runs in each worker: count how often a rule set gets compiled there
        from stripper import matcher

        if not hasattr(matcher.Matcher, "built"):
            original = matcher.Matcher.__init__

            def counting(self, *args, **kwargs):
                matcher.Matcher.built += 1
                original(self, *args, **kwargs)

            matcher.Matcher.__init__ = counting
        matcher.Matcher.built = 0

    def built():
        from stripper import matcher

        return matcher.Matcher.built

    client.run(count_matchers)
    found = find_shards([str(shards)], str(tmp_path / "out"))
    results = list(clean_shards(client, found, RuleSet.load([SEED_RULES]), Options(field="body")))
    assert len(results) == len(SHARDS) > 2
    counts = client.run(built)
    assert len(counts) == 2 and all(n <= 1 for n in counts.values()), counts
    assert sum(counts.values()) >= 1


def test_file_urls_and_gzip_shards(client, shards, local, tmp_path):
    """fsspec URLs in and out; a .jsonl.gz shard is read and written compressed, with the same records."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.jsonl.gz").write_bytes(gzip.compress((shards / "b.jsonl").read_bytes()))
    found = find_shards([f"file://{tmp_path}/in/*.gz"], f"file://{tmp_path}/out")
    assert [s.output for s in found] == [f"file://{tmp_path}/out/b.jsonl.gz"]
    (result,) = clean_shards(client, found, RuleSet.load([SEED_RULES]), Options(field="body"))
    assert result.written
    assert gzip.decompress((tmp_path / "out" / "b.jsonl.gz").read_bytes()) == (local / "out" / "b.jsonl").read_bytes()
    assert gzip.decompress((tmp_path / "out" / REPORTS / "b.jsonl.gz").read_bytes()).count(b"\n") == sum(
        1 for line in (local / "out" / "b.jsonl").read_bytes().splitlines() if b'"stripper":' in line
    )


def test_memory_filesystem(shards, local):
    """An fsspec store that is not a local folder (memory://, as s3:// would be); threads share it with the test."""
    import fsspec

    memory = fsspec.filesystem("memory")
    for name in SHARDS:
        memory.pipe(f"/crawl/{name}", (shards / name).read_bytes())
    found = find_shards(["memory://crawl"], "memory://clean")
    assert [s.output for s in found] == [f"memory:///clean/{name}" for name in SHARDS]
    with (
        LocalCluster(n_workers=1, processes=False, dashboard_address=":0", silence_logs=logging.ERROR) as cluster,
        Client(cluster) as client,
    ):
        results = list(clean_shards(client, found, RuleSet.load([SEED_RULES]), Options(field="body")))
    assert all(r.written for r in results)
    for name in SHARDS:
        assert memory.cat(f"/clean/{name}") == (local / "out" / name).read_bytes(), name
        assert memory.exists(f"/clean/{REPORTS}/{name}")
    memory.rm("/crawl", recursive=True)
    memory.rm("/clean", recursive=True)


def test_the_command_on_a_running_cluster_prints_the_summary(client, shards, local, tmp_path):
    from conftest import stripper

    address = client.scheduler.address
    proc = stripper(
        "dask", shards, "-o", tmp_path / "out", "--field", "body", "--scheduler", address,
        env=environment(TTY_COMPATIBLE="1", NO_COLOR="1"),
    )  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    for name in SHARDS:
        assert (tmp_path / "out" / name).read_bytes() == (local / "out" / name).read_bytes()
    expected = categories(report_lines(local / "report.jsonl"))
    documents = len(report_lines(local / "report.jsonl"))
    assert f"{documents:,} documents" in err and "MB/s" in err
    for category, lines in expected.items():  # the summary's table: lines removed by category
        assert any(line.split()[:2] == [category, f"{lines:,}"] for line in err.splitlines()), (category, err)
    assert "not valid JSON" in err  # each bad line is named on stderr


def test_the_command_starts_a_local_cluster_and_stops_on_a_bad_line(shards, tmp_path):
    from conftest import stripper

    (tmp_path / "in").mkdir()
    good = (shards / "c.jsonl").read_bytes()
    (tmp_path / "in" / "bad.jsonl").write_bytes(good + b"not json\n" + good)
    proc = stripper(
        "dask", tmp_path / "in", "-o", tmp_path / "out", "--field", "body", "--on-bad-json", "error", "--workers", "1"
    )
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert f"{tmp_path / 'in' / 'bad.jsonl'}:2: not valid JSON" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "bad.jsonl").exists()  # a shard that stops the run is not written
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]


def test_a_corrupt_shard_is_an_error_the_others_are_written(client, shards, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ok.jsonl").write_bytes((shards / "a.jsonl").read_bytes())
    (tmp_path / "in" / "broken.jsonl.gz").write_bytes(gzip.compress((shards / "a.jsonl").read_bytes())[:300])
    found = find_shards([str(tmp_path / "in")], str(tmp_path / "out"))
    results = {r.shard.name: r for r in clean_shards(client, found, RuleSet.load([SEED_RULES]), Options("body"))}
    broken = results[str(tmp_path / "in" / "broken.jsonl.gz")]
    assert not broken.written and broken.tally.errors == 1
    assert broken.messages[-1].startswith(f"{tmp_path / 'in' / 'broken.jsonl.gz'}: ")
    assert results[str(tmp_path / "in" / "ok.jsonl")].written
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [REPORTS, "ok.jsonl"]


def test_a_worker_without_stripper_is_named(client):
    versions = client.get_versions(packages=["stripper", "fsspec"])
    assert worker_problem(versions) is None  # these workers have both
    address = sorted(versions["workers"])[1]
    packages = versions["workers"][address]["packages"]
    install = "pip install 'stripper[dask]'"
    for stripper_version, fsspec_version, problem in [
        (None, "2024.6.0", f"has no stripper; each worker needs stripper 0.1.0 ({install})"),
        ("0.0.9", "2024.6.0", f"has stripper 0.0.9; each worker needs stripper 0.1.0 ({install})"),
        ("0.1.0", None, f"has no fsspec; each worker needs {install}"),
    ]:
        packages.update(stripper=stripper_version, fsspec=fsspec_version)
        assert worker_problem(versions) == f"Dask worker {address} {problem}"


def one_line_error(proc, *words: str) -> None:
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("stripper: ") and "Traceback" not in err, err
    for word in words:
        assert word in err, err


def test_shards_that_clash_or_overwrite_an_input_are_refused_before_anything_runs(shards, tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b"")
    with pytest.raises(InputError, match=r"missing\.jsonl: no such file or folder"):
        find_shards([str(tmp_path / "missing.jsonl")], str(tmp_path / "out"))
    with pytest.raises(InputError, match=r"a\.jsonl: .*a\.jsonl has the same place below the output folder"):
        find_shards([str(shards / "a.jsonl"), str(tmp_path / "a.jsonl")], str(tmp_path / "out"))
    with pytest.raises(InputError, match="is the output folder"):
        find_shards([str(tmp_path)], str(tmp_path))
    with pytest.raises(InputError, match="would overwrite it"):
        find_shards([str(tmp_path / "a.jsonl")], str(tmp_path))
    with pytest.raises(InputError, match="no such file"):
        find_shards([str(tmp_path / "*.gz")], str(tmp_path / "out"))


def test_bad_input_an_unreachable_scheduler_or_one_without_workers_exit_2(shards, tmp_path):
    from conftest import stripper

    one_line_error(stripper("dask", tmp_path / "missing.jsonl", "-o", tmp_path / "out"), "missing.jsonl", "no such")
    unreachable = stripper(
        "dask", shards, "-o", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1"
    )
    one_line_error(unreachable, "cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp", dashboard_address=":0", silence_logs=logging.ERROR
    ) as empty:
        idle = stripper(
            "dask", shards, "-o", tmp_path / "out", "--scheduler", empty.scheduler_address, "--connect-timeout", "1"
        )
    one_line_error(idle, f"the Dask scheduler at {empty.scheduler_address} has no workers")
    assert not (tmp_path / "out").exists()


def test_without_the_extra_dask_says_how_to_install_it_and_clean_still_works(tmp_path):
    from conftest import stripper

    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "distributed.py").write_text("raise ModuleNotFoundError(\"No module named 'distributed'\")\n")
    env = environment()
    env["PYTHONPATH"] = f"{blocked}:{env['PYTHONPATH']}"
    one_line_error(stripper("dask", tmp_path, "-o", tmp_path / "out", env=env), "pip install 'stripper[dask]'")
    proc = stripper("clean", input=ARTICLE, env=env)
    assert proc.returncode == 0 and b"Advertisement" not in proc.stdout
