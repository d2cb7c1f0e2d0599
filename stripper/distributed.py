"""Clean JSON Lines shards on a Dask cluster: one task per shard, every path through fsspec.

Beyond one machine stripper grows no cluster of its own: the cleaning is a pure function of
(text, rule set) and the rule set pickles, so an existing engine can run it. Each task reads one
shard, cleans it batch by batch with the same `Cleaner.batch` the local `stripper clean --jsonl`
uses (so the records come out byte for byte the same), and writes a cleaned shard plus a report
shard, each staged under a temporary name and moved into place only when complete. The rule set
goes to every worker once (`client.scatter(..., broadcast=True)`): each worker compiles it on its
first shard and reuses it for the rest.

Dask and fsspec are the optional `stripper[dask]` extra; nothing here imports them at module level,
so `stripper` without the extra still imports this module and can say what is missing.
"""

from __future__ import annotations

import logging
import lzma
import posixpath
import time
import uuid
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from stripper import __version__, jsonl
from stripper.batch import OUTPUT_DIR, Cleaner, JsonlInput, Plan, read_batches
from stripper.engine import DEFAULT_TIMEOUT
from stripper.files import InputError
from stripper.parallel import cpu_count
from stripper.report import Tally
from stripper.rules import RuleSet

if TYPE_CHECKING:
    from distributed import Client

REPORTS = "_reports"  # below the output folder; a leading '_' keeps dataset loaders from taking it for data
SUFFIX = ".jsonl"  # what a folder's shards are called (as for clean --jsonl), before any compression suffix
CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler, and for its first worker to be there
INSTALL = "pip install 'stripper[dask]'"


class MissingExtra(RuntimeError):
    """Dask or fsspec is not installed."""


class ClusterError(RuntimeError):
    """The scheduler cannot be reached, has no workers, or its workers cannot run stripper."""


@dataclass(frozen=True, slots=True)
class Shard:
    """One JSON Lines shard: where to read it, where its cleaned records and its report go."""

    name: str  # how messages and reports name it: the path as given, or its URL
    url: str  # absolute, with its protocol, so that a worker on another machine opens the same file
    output: str
    report: str


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What one task did: the shard's counts, its messages, and whether it was written."""

    shard: Shard
    tally: Tally = field(default_factory=Tally)
    messages: tuple[str, ...] = ()
    written: bool = False
    fatal: bool = False  # a bad line with on_bad="error": the run stops
    seconds: float = 0.0


def require(modules: Sequence[str] = ("fsspec", "distributed")) -> None:
    """Raise MissingExtra, naming the install command, unless fsspec and Dask's distributed scheduler import."""
    missing = []
    for module in modules:
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise MissingExtra(f"{' and '.join(missing)} not installed: the Dask runner needs {INSTALL}")


# -- on the client: which shards, and where they go


def find_shards(paths: Sequence[str], output_dir: str) -> list[Shard]:
    """The shards that `paths` name (files, folders walked for *.jsonl[.gz ...], or glob patterns), in order.

    Each goes to the same place below `output_dir` as local `--output-dir` would put it (its path below a
    folder argument, else its file name) and its report to the same place below `output_dir`/_reports.
    Raises InputError for a path that matches nothing, and before anything runs for two shards with one
    target or a target that is an input.
    """
    from fsspec.core import url_to_fs

    with _naming(output_dir):
        out_fs, out_root = url_to_fs(output_dir)
    out_root = out_root.rstrip("/")
    shards: list[Shard] = []
    taken: dict[str, str] = {}
    found: list[tuple[str, str, str]] = []
    for arg in paths:
        with _naming(arg):
            found.extend(_expand(arg, out_fs.unstrip_protocol(out_root)))
    for name, url, rel in found:
        output = out_fs.unstrip_protocol(posixpath.join(out_root, rel))
        report = out_fs.unstrip_protocol(posixpath.join(out_root, REPORTS, rel))
        for target in (output, report):
            if taken.setdefault(target, name) != name:
                raise InputError(name, f"{taken[target]} has the same place below the output folder")
        shards.append(Shard(name, url, output, report))
    inputs = {shard.url: shard.name for shard in shards}
    for target, name in taken.items():
        if target in inputs:
            raise InputError(inputs[target], f"the output of {name} would overwrite it")
    return shards


@contextmanager
def _naming(arg: str) -> Iterator[None]:
    """Errors from fsspec (no such bucket, no package for the protocol, no access) as an InputError naming `arg`."""
    try:
        yield
    except OSError as exc:
        raise InputError.from_os(exc, arg) from None
    except (ImportError, ValueError) as exc:  # fsspec: "Install s3fs to access S3", or a malformed URL
        raise InputError(arg, str(exc)) from None


def _expand(arg: str, exclude: str) -> Iterator[tuple[str, str, str]]:
    """(name, url, place below the output folder) for each shard one argument names."""
    from fsspec.core import url_to_fs
    from fsspec.utils import infer_compression

    fs, root = url_to_fs(arg)
    local = "://" not in arg  # keep a local path as given, as the local command names it
    if any(c in arg for c in "*?["):
        matches = sorted(p for p in fs.glob(root) if not fs.isdir(p))
        if not matches:
            raise InputError(arg, "no such file")
        for path in matches:
            url = fs.unstrip_protocol(path)
            yield (path if local else url), url, posixpath.basename(path)
    elif fs.isdir(root):
        root = root.rstrip("/")
        if fs.unstrip_protocol(root) == exclude:
            raise InputError(arg, "is the output folder: the cleaned shards would overwrite it")
        for path in sorted(fs.find(root)):
            url = fs.unstrip_protocol(path)
            if url.startswith(exclude + "/"):  # earlier output below the input folder is not input
                continue
            rel = posixpath.relpath(path, root)
            stem = posixpath.splitext(rel)[0] if infer_compression(rel) else rel  # a.jsonl.gz: a.jsonl
            if stem.endswith(SUFFIX):
                yield (posixpath.join(arg, rel) if local else url), url, rel
    elif fs.exists(root):
        yield arg, fs.unstrip_protocol(root), posixpath.basename(root)
    else:
        raise InputError(arg, "no such file or folder")


# -- on a worker: one task per shard


def clean_shard(shard: Shard, cleaner: Cleaner) -> ShardResult:
    """Clean one shard into its cleaned shard and its report shard; neither is written if the shard fails.

    Runs on a worker. Batches are read, cleaned and written one at a time, so a worker holds one
    batch of a shard of any size. A read error (or a bad line with on_bad="error") discards both outputs.
    """
    import fsspec

    started = time.perf_counter()
    tally, messages = Tally(), []
    try:
        with (
            fsspec.open(shard.url, "rb", compression="infer") as stream,
            _Staged(shard.output) as output,
            _Staged(shard.report) as report,
        ):
            for outcome in map(cleaner.batch, read_batches(JsonlInput(shard.name, stream=stream), 0)):
                tally.merge(outcome.tally)
                messages.extend(outcome.messages)
                if outcome.error:
                    output.discard()
                    report.discard()
                    return ShardResult(shard, tally, tuple(messages), fatal=outcome.fatal, seconds=_since(started))
                output.write(outcome.output)
                report.write(outcome.report.encode("utf-8"))
    except OSError as exc:  # the shard cannot be opened, or an output cannot be written
        tally.errors += 1
        messages.append(str(InputError.from_os(exc, exc.filename or shard.name)))
        return ShardResult(shard, tally, tuple(messages), seconds=_since(started))
    except (EOFError, lzma.LZMAError, zlib.error) as exc:  # a truncated or corrupt compressed shard
        tally.errors += 1
        messages.append(f"{shard.name}: {exc}")
        return ShardResult(shard, tally, tuple(messages), seconds=_since(started))
    return ShardResult(shard, tally, tuple(messages), written=True, seconds=_since(started))


class _Staged:
    """A file written under a temporary name beside its target and moved there on a clean exit.

    A reader of the output never sees half a shard: on a local disk the move is a rename; on an object
    store the object appears whole. Compression follows the target's suffix (.gz, .bz2, .xz ...).
    """

    def __init__(self, url: str):
        from fsspec.core import url_to_fs
        from fsspec.utils import infer_compression

        self.fs, self.path = url_to_fs(url)
        self.temp = f"{self.path}.tmp-{uuid.uuid4().hex[:12]}"
        self.fs.makedirs(posixpath.dirname(self.path), exist_ok=True)
        self.file: BinaryIO | None = self.fs.open(self.temp, "wb", compression=infer_compression(self.path))

    def write(self, data: bytes) -> None:
        if data:
            self.file.write(data)

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
            self.fs.rm(self.temp)

    def __enter__(self) -> _Staged:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.file is None:
            return
        if kind is not None:
            self.discard()
            return
        self.file.close()
        self.file = None
        self.fs.mv(self.temp, self.path)


def _since(started: float) -> float:
    return time.perf_counter() - started


# -- the cluster, and the run


@contextmanager
def connect(scheduler: str | None = None, *, workers: int = 0, timeout: float = CONNECT_TIMEOUT) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, or of a local cluster of `workers` processes (0: one per core).

    Raises ClusterError when the scheduler cannot be reached, no worker is there within `timeout`, or a
    worker has no stripper (or another version) installed: tasks would fail there.
    """
    from distributed import Client, LocalCluster

    if scheduler is None:
        with (
            LocalCluster(
                n_workers=workers or cpu_count(),
                threads_per_worker=1,  # cleaning is pure Python: processes, not threads, run it in parallel
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {scheduler} has no workers (waited {timeout:g} s)") from None
        check_workers(client)
        yield client


def check_workers(client: Client) -> None:
    """Raise ClusterError naming a worker without fsspec or this version of stripper (whose rules it would run)."""
    problem = worker_problem(client.get_versions(packages=["stripper", "fsspec"]))
    if problem is not None:
        raise ClusterError(problem)


def worker_problem(versions: dict) -> str | None:
    """What keeps a worker from running stripper's tasks, from `Client.get_versions()`; None if nothing."""
    for address, info in sorted(versions["workers"].items()):
        found = info["packages"]
        if found.get("stripper") != __version__:
            has = f"stripper {found['stripper']}" if found.get("stripper") else "no stripper"
            return f"Dask worker {address} has {has}; each worker needs stripper {__version__} ({INSTALL})"
        if not found.get("fsspec"):
            return f"Dask worker {address} has no fsspec; each worker needs {INSTALL}"
    return None


def clean_shards(
    client: Client,
    shards: Sequence[Shard],
    rules: RuleSet,
    options: jsonl.Options | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Iterator[ShardResult]:
    """Clean every shard as one task on the client's cluster; results as the tasks finish.

    The rule set goes to each worker once, before any task. A shard whose task fails on the cluster (a
    worker died, an exception) comes back as a result with an error and a message naming it. A fatal
    bad line (on_bad="error") stops the run: shards not started yet are cancelled.
    """
    from distributed import as_completed

    if not shards:
        return
    plan = Plan(write=OUTPUT_DIR, report=True, jsonl=options or jsonl.Options(), timeout=timeout)
    cleaner = Cleaner(rules, plan)
    shipped = client.scatter(cleaner, broadcast=True, hash=False)
    futures = {client.submit(clean_shard, shard, shipped, pure=False): shard for shard in shards}
    try:
        for future in as_completed(futures):
            result = _result(future, futures[future])
            yield result
            if result.fatal:
                return
    finally:
        client.cancel([f for f in futures if not f.done()])
        client.cancel([shipped])


def _result(future: Any, shard: Shard) -> ShardResult:
    try:
        return future.result()
    except Exception as exc:  # raised on a worker, or the worker was lost: this shard failed, not the run
        return ShardResult(shard, Tally(errors=1), (f"{shard.name}: the task failed: {type(exc).__name__}: {exc}",))
