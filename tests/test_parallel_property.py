"""Property: `clean --jobs 1` and `clean --jobs 2` (a real process pool) write the same bytes and the same report,
for folders of arbitrary documents, for JSON Lines, and for one long file cut into windows.

The command runs in this process (typer's CliRunner), so each example pays for one pool, not for starting
Python; STRIPPER_FUZZ_EXAMPLES raises the number of examples.
"""

import functools
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stripper import RuleSet
from stripper.cli import app

DEFAULT = functools.cache(RuleSet.default)
SEED = ["--no-default-rules", "--rules", str(Path(__file__).parent / "rules" / "seed.toml")]

EXAMPLES = int(os.environ.get("STRIPPER_FUZZ_EXAMPLES", "0"))
BOILERPLATE = [
    "Advertisement", "Share this article", "You have read 3 articles this month.", "Subscribe to continue reading.",
    "Sign up for our newsletter", "Jetzt spenden", "Anzeige", "Accept all cookies", "Follow us on Twitter", "",
]  # fmt: skip
line = st.one_of(
    st.sampled_from(BOILERPLATE),
    st.integers(0, 30).map(lambda n: f"Paragraph {n} of the story, with a detail or two."),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=20),
)
document = st.lists(st.tuples(line, st.sampled_from(["\n", "\r\n", "\r"])), max_size=25).map(
    lambda parts: "".join(a + b for a, b in parts).encode("utf-8", "surrogatepass")
)
odd_bytes = st.sampled_from([b"", b"\xff", b"\xef\xbb\xbf", b"Caf\xe9\n", b"\x00binary"])


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def clean(*args) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["clean", "-q", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


@settings(
    max_examples=EXAMPLES or 2,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each example runs six pools
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(document, odd_bytes), min_size=2, max_size=6), st.integers(1, 2))
def test_jobs_1_and_2_give_the_same_outputs_and_reports(tmp_path_factory, monkeypatch, docs, repeat):
    monkeypatch.setattr(RuleSet, "default", classmethod(lambda cls: DEFAULT()))  # load and compile them once
    root = tmp_path_factory.mktemp("jobs")
    src = root / "in"
    for i, (data, prefix) in enumerate(docs):
        path = src / f"d{i % 2}" / f"{i}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(prefix + data)
    (src / "docs.jsonl").write_bytes(
        b"".join(
            json.dumps({"id": i, "text": d.decode("utf-8", "replace")}).encode() + b"\n"
            for i, (d, _) in enumerate(docs)
        )
        + b"not json\n"
    )
    # One long file: enough lines for the stream to cut it into windows cleaned by the pool.
    long = b"".join(d for d, _ in docs) * repeat + b"".join(b"Paragraph %d of the long one.\n" % i for i in range(250))
    (src / "long.txt").write_bytes(long)
    outputs = {}
    for jobs in ("1", "2"):
        out = root / f"out{jobs}"
        out.mkdir()
        runs = [
            clean("--jobs", jobs, src, "--output-dir", out / "files", "--report", out / "files.report"),
            clean("--jobs", jobs, "--jsonl", src, "--output-dir", out / "jsonl", "--report", out / "jsonl.report"),
            # Streamed to stdout, window by window; with the small seed rules, as the default ones run ~25 KB/s.
            clean("--jobs", jobs, *SEED, src / "long.txt", "--report", out / "long.report"),
        ]
        outputs[jobs] = runs, tree(out)
    assert outputs["1"] == outputs["2"]
    runs, files = outputs["1"]
    assert runs[1][0] == runs[2][0] == 0
    texts = [p for p in src.rglob("*.txt") if b"\0" not in p.read_bytes()[:8192]]  # binary files are skipped
    assert len([name for name in files if name.startswith("files/")]) == len(texts)
