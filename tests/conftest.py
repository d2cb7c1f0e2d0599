"""Helpers for the command-line tests: run the real `stripper` command with the test rules."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# The rules cache of the test run (and of the commands it starts) is its own, not the user's.
os.environ["STRIPPER_CACHE_DIR"] = tempfile.mkdtemp(prefix="stripper-cache-")

ROOT = Path(__file__).resolve().parents[1]
SEED_RULES = ROOT / "tests" / "rules" / "seed.toml"
RULES = ["--no-default-rules", "--rules", str(SEED_RULES)]

ARTICLE = """\
City council approves new bike lanes

By Jane Doe

The city council voted 7-2 on Tuesday to add protected bike lanes to Main Street.
Advertisement
Construction is expected to begin in the spring and last about four months.

You have read 3 articles this month.
Register to receive full access to JNS.

Share this article
"""

ARTICLE_CLEANED = """\
City council approves new bike lanes

By Jane Doe

The city council voted 7-2 on Tuesday to add protected bike lanes to Main Street.
Construction is expected to begin in the spring and last about four months.
"""

PLAIN = "A short note with nothing to remove.\n\nIt has two paragraphs.\n"


def environment(**extra: str) -> dict:
    """The environment for a run: this checkout importable, 80 columns, no forced colour."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "STRIPPER_TRACEBACK")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["COLUMNS"] = "80"
    env.update(extra)
    return env


def command(*args: str, rules: bool = True) -> list[str]:
    """The command line, with the test rules' options after the (sub)command's name."""
    name = 2 if args[:1] == ("rules",) else 1
    return [sys.executable, "-m", "stripper", *args[:name], *(RULES if rules else []), *args[name:]]


def stripper(*args, input: bytes | str | None = None, cwd=None, env=None, rules: bool = True, timeout: float = 60):
    """Run `python -m stripper ARGS` with the test rules; stdout and stderr as bytes."""
    if isinstance(input, str):
        input = input.encode()
    return subprocess.run(
        command(*map(str, args), rules=rules),
        input=input,
        capture_output=True,
        cwd=cwd,
        env=env or environment(),
        timeout=timeout,
    )


@pytest.fixture
def run():
    return stripper


SLOW = "slow"


def pytest_collection_modifyitems(config, items):
    """Slow tests (GB streams, 100,000 files) run only with STRIPPER_SLOW=1 or when selected with -m slow."""
    expression = config.getoption("markexpr") or ""
    if os.environ.get("STRIPPER_SLOW") == "1" or (SLOW in expression and f"not {SLOW}" not in expression):
        return
    skip = pytest.mark.skip(reason="slow: run with STRIPPER_SLOW=1 or -m slow")
    for item in items:
        if SLOW in item.keywords:
            item.add_marker(skip)
