"""stripper.datatrove.StripBoilerplate in a real datatrove pipeline: the same documents as `clean --jsonl`."""

import json
import random
from collections import Counter

import pytest

pytest.importorskip("datatrove", reason="needs the datatrove extra (pip install '.[test]' has it)")

from conftest import ARTICLE, PLAIN, SEED_RULES, stripper
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader

from stripper import RuleSet
from stripper.datatrove import StripBoilerplate


def write_shards(folder, shards: int = 3, per_shard: int = 30) -> None:
    rng = random.Random(3)
    folder.mkdir()
    n = 0
    for s in range(shards):
        with open(folder / f"s{s}.jsonl", "w", encoding="utf-8") as out:
            for _ in range(per_shard):
                text = rng.choice([ARTICLE, PLAIN, ARTICLE.replace("\n", "\r\n"), "Never miss a thing\n" + ARTICLE])
                out.write(json.dumps({"id": f"doc-{n}", "body": text, "n": n}) + "\n")
                n += 1


def test_a_datatrove_pipeline_cleans_like_the_jsonl_command(tmp_path):
    shards = tmp_path / "in"
    write_shards(shards)
    proc = stripper("clean", "--jsonl", "--field", "body", shards, "-o", tmp_path / "local")
    assert proc.returncode == 0, proc.stderr
    expected = {}
    for path in (tmp_path / "local").iterdir():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            expected[record["id"]] = (record["body"], record["stripper"])

    collected = tmp_path / "collected"
    collected.mkdir()

    def collect(data, rank: int = 0, world_size: int = 1):  # the pipeline's last step: what came out of ours
        with open(collected / f"{rank}.jsonl", "w", encoding="utf-8") as out:
            for document in data:
                out.write(json.dumps({"id": document.id, "text": document.text, "meta": document.metadata}) + "\n")

    pipeline = [
        JsonlReader(str(shards), text_key="body", glob_pattern="*.jsonl"),
        StripBoilerplate(RuleSet.load([SEED_RULES])),
        collect,
    ]
    executor = LocalPipelineExecutor(pipeline, tasks=2, workers=1, logging_dir=str(tmp_path / "logs"))
    executor.run()

    got = {}
    for path in collected.iterdir():
        for line in path.read_text(encoding="utf-8").splitlines():
            document = json.loads(line)
            got[document["id"]] = (document["text"], document["meta"]["stripper"])
    assert got == expected
    assert sum(len(report["removed"]) for _, report in got.values()) > 50
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    step = next(s["stats"] for s in stats if s["name"].endswith(StripBoilerplate.name))
    categories = Counter(r["category"] for _, report in expected.values() for r in report["removed"])
    assert step["total"] == len(expected)
    assert step["lines_removed"]["total"] == sum(categories.values())
    assert {f"removed_{c}": n for c, n in categories.items()} == {
        k: v for k, v in step.items() if k.startswith("removed_")
    }
