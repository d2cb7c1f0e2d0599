"""The `stripper` command: parse options, call the library, render."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import closing
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from stripper.rules import RuleError, RuleSet

app = typer.Typer(
    help="Strip boilerplate lines (paywalls, donation appeals, newsletter boxes, share bars) from scraped news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Inspect and self-test rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

STDIN = "-"
STDIN_NAME = "<stdin>"

RulesOpt = Annotated[
    Optional[list[Path]], typer.Option("--rules", help="Extra rule file or folder (repeatable).", show_default=False)
]
NoDefaultOpt = Annotated[bool, typer.Option("--no-default-rules", help="Do not load the shipped rule set.")]
SelectOpt = Annotated[
    Optional[str], typer.Option("--select", help="Only these categories or rule id prefixes (comma-separated).")
]
IgnoreOpt = Annotated[Optional[str], typer.Option("--ignore", help="Drop these categories or id prefixes.")]


class OnBadJson(StrEnum):
    pass_ = "pass"
    skip = "skip"
    error = "error"


def fail(message: str, code: int = 2) -> typer.Exit:
    sys.stderr.write(f"stripper: {message}\n")
    return typer.Exit(code)


def console(**options):
    """A rich console; with NO_COLOR set (https://no-color.org) it writes no escape codes at all."""
    from rich.console import Console

    if os.environ.get("NO_COLOR"):
        options["color_system"] = None
    return Console(**options)


def say(message: str) -> None:
    # sys.stderr is looked up each time: a live progress bar replaces it to print above itself.
    sys.stderr.write(f"stripper: {message}\n")


def _split(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


def build_rules(
    rules: list[Path] | None,
    no_default: bool,
    select: str | None,
    ignore: str | None,
    learned: Callable[[RuleSet], RuleSet] | None = None,
) -> RuleSet:
    """The rule set the options ask for; a bad rule file exits 2 naming the file.

    `learned`, if given, is called with the loaded rules and returns rules to add before --select/--ignore.
    """
    try:
        ruleset = RuleSet() if no_default else RuleSet.default()
        if rules:
            ruleset = ruleset + RuleSet.load(rules)
        if no_default and not rules and learned is None:
            raise RuleError("--no-default-rules needs --rules (or --learn)")
        if learned is not None:
            ruleset = ruleset + learned(ruleset)
        return ruleset.select(_split(select), _split(ignore))
    except RuleError as exc:
        raise fail(str(exc)) from None


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that the interpreter's last flush is silent."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@app.command()
def clean(
    paths: Annotated[
        Optional[list[str]], typer.Argument(help="Files or folders; none or '-' reads stdin.", show_default=False)
    ] = None,
    output_dir: Annotated[
        Optional[Path],
        typer.Option("--output-dir", "-o", help="Write cleaned files here, mirroring the inputs' folders."),
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", "-i", help="Replace each changed file (atomically).")] = False,
    backup: Annotated[
        Optional[str], typer.Option("--backup", help="With --in-place: keep each original as PATH+SUFFIX.")
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    report: Annotated[
        Optional[str],
        typer.Option("--report", help="Write a JSON Lines report, one object per document (- for stdout)."),
    ] = None,
    diff: Annotated[bool, typer.Option("--diff", help="Print a diff of what would go; write nothing else.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if any document would lose a line.")
    ] = False,
    jsonl_mode: Annotated[
        bool, typer.Option("--jsonl", help="Inputs are JSON Lines: clean one field of each record.")
    ] = False,
    field: Annotated[
        Optional[str], typer.Option("--field", help="With --jsonl: field to clean [default: text].")
    ] = None,
    id_field: Annotated[
        Optional[str], typer.Option("--id-field", help="With --jsonl: name documents in reports by this field.")
    ] = None,
    on_bad_json: Annotated[
        Optional[OnBadJson],
        typer.Option(
            "--on-bad-json",
            help="With --jsonl, a line that is not an object with the field: copy it (pass), drop it (skip), "
            "or stop with exit 2 (error). It is reported either way. [default: pass]",
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Worker processes; 0: one per core.")] = 0,
    glob: Annotated[
        Optional[list[str]],
        typer.Option("--glob", help="Files to take from folders (repeatable) [default: *.txt; *.jsonl with --jsonl]."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    learn: Annotated[
        bool,
        typer.Option(
            "--learn",
            help="First learn each folder's repeated lines (like `stripper learn` with its defaults, grouped by "
            "sub-folder) and remove them too; the learned rules are named in the report, no rule file is written.",
        ),
    ] = False,
) -> None:
    """Remove boilerplate lines from files, folders or stdin, and report why each line went.

    With no PATH or '-', cleans stdin to stdout as it reads. One file goes to stdout; several files or a
    folder need --output-dir or --in-place (or --check / --diff, which write nothing).
    """
    from stripper import batch, files
    from stripper import jsonl as jsonl_lib
    from stripper.parallel import cpu_count

    if not learn:
        ruleset = build_rules(rules, no_default_rules, select, ignore)
    paths = paths or [STDIN]
    stdin = paths == [STDIN]
    if learn and STDIN in paths:
        raise fail("--learn needs files or folders: it reads them once to learn, then again to clean")
    if STDIN in paths and not stdin:
        raise fail("'-' (stdin) cannot be combined with other paths")
    if output_dir is not None and in_place:
        raise fail("--output-dir and --in-place exclude each other")
    if backup is not None and not in_place:
        raise fail("--backup needs --in-place")
    if (check or diff) and (output_dir is not None or in_place):
        raise fail("--check and --diff write nothing: drop --output-dir / --in-place")
    if stdin and (output_dir is not None or in_place):
        raise fail("stdin is cleaned to stdout: --output-dir and --in-place need file or folder paths")
    if not jsonl_mode and (field is not None or id_field is not None or on_bad_json is not None):
        raise fail("--field, --id-field and --on-bad-json need --jsonl")
    if not stdin:
        try:
            files.check_inputs(paths)
        except files.InputError as exc:
            raise fail(str(exc)) from None
    single = not stdin and len(paths) == 1 and not Path(paths[0]).is_dir()
    writes_files = output_dir is not None or in_place
    if not stdin and not single and not (writes_files or check or diff):
        raise fail("several inputs or a folder need --output-dir or --in-place (or --check / --diff)")
    if output_dir is not None:
        plan_write = batch.OUTPUT_DIR
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise fail(str(files.InputError.from_os(exc, output_dir))) from None
    elif in_place:
        plan_write = batch.IN_PLACE
    elif check or diff:
        plan_write = batch.NOWHERE
    else:
        plan_write = batch.STDOUT
    if report == STDIN and (plan_write == batch.STDOUT or diff):
        raise fail("--report - needs stdout: it already carries the cleaned text or the diff")

    globs = tuple(glob or (["*.jsonl"] if jsonl_mode else ["*.txt"]))
    if learn:
        from stripper.corpus import Corpus

        corpus = Corpus(tuple(paths), field=field or "text", globs=globs, exclude=output_dir, jsonl=jsonl_mode)
        ruleset = build_rules(rules, no_default_rules, select, ignore, learned=_learner(corpus, quiet))
    options = jsonl_lib.Options(field or "text", id_field, (on_bad_json or OnBadJson.pass_).value)
    plan = batch.Plan(
        write=plan_write,
        output_dir=output_dir,
        backup=backup,
        diff=diff,
        report=report is not None,
        jsonl=options if jsonl_mode else None,
    )
    cleaner = batch.Cleaner(ruleset, plan)
    jobs = jobs or cpu_count()
    run = Run(plan, check=check, quiet=quiet)
    try:
        run.open_report(report)
    except OSError as exc:
        raise fail(str(files.InputError.from_os(exc, report))) from None

    def inputs():
        found = files.find_inputs(paths, globs, exclude=output_dir, on_error=run.input_error)
        return files.unique_targets(found, run.input_error) if output_dir is not None and len(paths) > 1 else found

    signal.signal(signal.SIGTERM, _interrupt)  # like Ctrl-C: temp files discarded, originals whole
    try:
        if jsonl_mode:
            if stdin:
                sources = [batch.JsonlInput(STDIN_NAME, stream=sys.stdin.buffer)]
            else:
                sources = (batch.JsonlInput(os.fsdecode(item.path), item=item) for item in inputs())
            run.progress_over(None if stdin else inputs)
            run.outcomes(batch.clean_jsonl(sources, cleaner, jobs=jobs))
        elif (stdin or (single and not writes_files)) and not diff:  # one file written out goes by clean_files
            run.stream(STDIN_NAME if stdin else paths[0], cleaner, jobs=jobs)
        else:
            run.progress_over(None if stdin else inputs)
            if stdin:  # --diff needs the whole text
                run.outcomes(iter([cleaner.text(sys.stdin.buffer.read(), STDIN_NAME)]))
            else:
                run.outcomes(batch.clean_files(inputs(), cleaner, jobs=jobs))
    except BrokenPipeError:
        _quiet_stdout()
    except files.InputError as exc:
        run.close()
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        run.close()
        raise fail("interrupted", 130) from None
    run.close()
    raise typer.Exit(run.exit_code())


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _learner(corpus, quiet: bool) -> Callable[[RuleSet], RuleSet]:
    """For `clean --learn`: a function from the loaded rules to the rules learned from the inputs."""

    def learned(reference: RuleSet) -> RuleSet:
        from stripper.files import InputError
        from stripper.learn import learn_corpus

        try:
            result = learn_corpus(corpus, reference=reference)
        except InputError as exc:
            raise fail(str(exc)) from None
        if not quiet:
            say(
                f"learned {len(result.accepted):,} rules from {result.documents:,} documents in "
                f"{len(result.groups):,} groups (applied, not written; `stripper learn` writes them)"
            )
        return result.ruleset()

    return learned


class Run:
    """The main process's side of a clean run: writes outcomes in order, counts, shows progress and summary."""

    def __init__(self, plan, *, check: bool, quiet: bool):
        from stripper.report import Tally

        self.plan, self.check, self.quiet = plan, check, quiet
        self.tally = Tally()
        self.fatal = False
        self.started = time.perf_counter()
        self._err = None
        self.report_file = None
        self.progress = None
        self.task = None
        self._out_console = None

    @property
    def err(self):
        """The stderr console, made on first use: importing rich costs more than cleaning one article."""
        if self._err is None:
            self._err = console(stderr=True, highlight=False)
        return self._err

    # -- outputs

    def open_report(self, report: str | None) -> None:
        if report is None:
            return
        self.report_file = sys.stdout.buffer if report == STDIN else open(report, "wb")

    def write_report(self, lines: str) -> None:
        if self.report_file is not None and lines:
            self.report_file.write(lines.encode("utf-8"))

    def write_diff(self, diff: bytes) -> None:
        if not diff:
            return
        console = self.out_console()
        if console.is_terminal and console.color_system is not None:
            from stripper.diff import styled
            from stripper.files import decode, printable

            console.print(styled(printable(decode(diff))), end="")
        else:
            sys.stdout.buffer.write(diff)

    def out_console(self):
        if self._out_console is None:
            self._out_console = console(highlight=False, soft_wrap=True)
        return self._out_console

    def input_error(self, error) -> None:
        say(str(error))
        self.tally.errors += 1

    # -- the three ways documents come in

    def outcomes(self, outcomes) -> None:
        """Write each outcome (of files or JSON Lines batches) in order."""
        from stripper.report import would_clean

        try:
            for outcome in outcomes:
                if outcome.output:
                    sys.stdout.buffer.write(outcome.output)
                self.write_diff(outcome.diff)
                self.write_report(outcome.report)
                for message in outcome.messages:
                    say(message)
                self.tally.merge(outcome.tally)
                if self.check and not self.quiet and self.plan.jsonl is None and outcome.tally.changed:
                    say(would_clean(outcome.source, outcome.tally.removed))
                self.fatal = self.fatal or outcome.fatal
                if self.progress is not None:
                    self.progress.update(self.task, advance=outcome.tally.bytes, files=self.tally.documents)
        finally:
            close = getattr(outcomes, "close", None)  # a generator: stop its workers
            if close is not None:
                close()

    def stream(self, source: str, cleaner, *, jobs: int) -> None:
        """Clean stdin or one file to stdout as it is read."""
        from stripper.batch import clean_windows
        from stripper.files import InputError, encode
        from stripper.report import Tally, document_record, dumps, would_clean

        if source == STDIN_NAME:
            handle = sys.stdin.buffer
        else:
            try:
                handle = open(source, "rb")
            except OSError as exc:
                raise InputError.from_os(exc, source) from None
        from stripper.files import ENCODING, SNIFF_BYTES, sniff

        if sniff(handle.peek(SNIFF_BYTES)[:SNIFF_BYTES]) != ENCODING:  # UTF-16 or binary: not streamed
            try:
                data = handle.read()
            finally:
                if handle is not sys.stdin.buffer:
                    handle.close()
            self.outcomes(iter([cleaner.text(data, source)]))
            return
        counted = _Counted(handle)
        document = Tally()
        removals, problems = [], []
        kept_chars = 0
        to_stdout = self.plan.write == "stdout"
        try:
            with closing(clean_windows(counted, cleaner, jobs=jobs)) as pieces:
                for piece in pieces:
                    if to_stdout and piece.text:
                        sys.stdout.buffer.write(encode(piece.text))
                        sys.stdout.buffer.flush()
                    document.count(piece.removals, piece.lines)
                    kept_chars += len(piece.text)
                    if self.plan.report:
                        removals.extend(piece.removals)
                        problems.extend(piece.problems)
                    for p in piece.problems:
                        say(f"{source}:{p.line}: {p.rule}: {p.message}")
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise InputError.from_os(exc, source) from None
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()
        document.documents, document.changed, document.bytes = 1, int(document.removed > 0), counted.bytes
        self.tally.merge(document)
        if self.plan.report:
            removed_chars = sum(len(r.text) for r in removals)
            record = document_record(source, document.lines, removals, kept_chars, removed_chars, problems)
            self.write_report(dumps(record))
        if self.check and not self.quiet and document.changed:
            say(would_clean(source, document.removed))

    # -- progress and the end of the run

    def progress_over(self, inputs) -> None:
        """A progress bar (in bytes) over the inputs, on a terminal, unless quiet or stdout is the terminal too."""
        if inputs is None or self.quiet or not self.err.is_terminal:
            return
        if sys.stdout.isatty() and (self.plan.write == "stdout" or self.plan.diff):
            return
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        from stripper.files import count_bytes

        count, size = count_bytes(inputs())
        self.progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[files]}/{task.fields[count]} files"),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=self.err,
            transient=True,
        )
        self.task = self.progress.add_task("cleaning", total=size or None, files=0, count=count)
        self.progress.start()

    def progress_over_shards(self, count: int) -> None:
        """A progress bar in shards (stripper dask), on a terminal, unless quiet."""
        if self.quiet or not self.err.is_terminal or not count:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("shards, {task.fields[docs]:,} documents"),
            TimeRemainingColumn(),
            console=self.err,
            transient=True,
        )
        self.task = self.progress.add_task("cleaning", total=count, docs=0)
        self.progress.start()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
        if self.report_file is not None:
            try:
                self.report_file.flush()
                if self.report_file is not sys.stdout.buffer:
                    self.report_file.close()
            except BrokenPipeError:
                _quiet_stdout()
            self.report_file = None
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
        if self.quiet:
            return
        if self.err.is_terminal:
            from stripper.report import summary

            self.err.print(summary(self.tally, time.perf_counter() - self.started))
        if self.check:
            from stripper.report import check_message

            say(check_message(self.tally))

    def exit_code(self) -> int:
        if self.fatal or self.tally.errors:
            return 2
        return 1 if self.check and self.tally.changed else 0


class _Counted:
    """Binary lines of a stream, counting their bytes."""

    def __init__(self, stream):
        self.stream, self.bytes = stream, 0

    def __iter__(self):
        for line in self.stream:
            self.bytes += len(line)
            yield line


@app.command("dask")
def dask_command(
    shards: Annotated[
        list[str],
        typer.Argument(
            help="JSON Lines shards: files, folders (every *.jsonl[.gz] below), globs, or fsspec URLs (s3://...)."
        ),
    ],
    output_dir: Annotated[
        str, typer.Option("--output-dir", "-o", help="Cleaned shards go here (a folder or URL); reports to _reports/.")
    ],
    scheduler: Annotated[
        Optional[str],
        typer.Option("--scheduler", help="A running Dask scheduler (tcp://host:8786); default: a local cluster."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=0, help="Local cluster only: worker processes; 0: one per core.")
    ] = 0,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    field: Annotated[str, typer.Option("--field", help="Field of each record to clean.")] = "text",
    id_field: Annotated[
        Optional[str], typer.Option("--id-field", help="Name documents in reports by this field.")
    ] = None,
    on_bad_json: Annotated[
        OnBadJson,
        typer.Option("--on-bad-json", help="A line that is not an object with the field: pass, skip or error."),
    ] = OnBadJson.pass_,
    connect_timeout: Annotated[
        float, typer.Option("--connect-timeout", min=0.1, help="Seconds to reach the scheduler and find a worker.")
    ] = 30.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
) -> None:
    """Clean JSON Lines shards on a Dask cluster, one task per shard: like `clean --jsonl --output-dir --report`.

    Each shard's records come out as `clean --jsonl` writes them, below OUTPUT_DIR at the place that
    `clean --output-dir` gives a file; its report goes to the same place below OUTPUT_DIR/_reports.
    Needs stripper's dask extra (README: At scale).
    """
    from stripper import distributed
    from stripper import jsonl as jsonl_lib
    from stripper.batch import OUTPUT_DIR, Plan
    from stripper.files import InputError

    ruleset = build_rules(rules, no_default_rules, select, ignore)
    options = jsonl_lib.Options(field, id_field, on_bad_json.value)
    try:
        distributed.require(["fsspec"])  # bad paths are found before Dask, slow to import, is loaded
        found = distributed.find_shards(shards, output_dir)
        distributed.require(["distributed"])
    except distributed.MissingExtra as exc:
        raise fail(str(exc)) from None
    except InputError as exc:
        raise fail(str(exc)) from None
    run = Run(Plan(write=OUTPUT_DIR, report=True, jsonl=options), check=False, quiet=quiet)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with distributed.connect(scheduler, workers=workers, timeout=connect_timeout) as client:
            run.started = time.perf_counter()  # the summary's throughput is the cleaning's, not the cluster's start
            run.progress_over_shards(len(found))
            for result in distributed.clean_shards(client, found, ruleset, options):
                for message in result.messages:
                    say(message)
                run.tally.merge(result.tally)
                run.fatal = run.fatal or result.fatal
                if run.progress is not None:
                    run.progress.update(run.task, advance=1, docs=run.tally.documents)
            run.close()
    except distributed.ClusterError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None
    raise typer.Exit(run.exit_code())


@app.command()
def show(
    path: Annotated[str, typer.Argument(help="The file to show; '-' reads stdin.")],
    only_removed: Annotated[bool, typer.Option("--only-removed", help="List only the removed lines.")] = False,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
) -> None:
    """Show the cleaned article next to what was removed: each removed line in place, with its rule."""
    from stripper import show as views
    from stripper.engine import clean as clean_text
    from stripper.files import InputError, decode, read_bytes

    ruleset = build_rules(rules, no_default_rules, select, ignore)
    try:
        data = sys.stdin.buffer.read() if path == STDIN else read_bytes(Path(path))
    except InputError as exc:
        raise fail(str(exc)) from None
    source = STDIN_NAME if path == STDIN else path
    result = clean_text(decode(data), ruleset, source=source)
    render = views.removals if only_removed else views.view
    try:
        console(highlight=False).print(render(result, source))
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()


class GroupBy(StrEnum):
    folder = "folder"
    url = "url"
    none = "none"


MEMORY_HELP = (
    "Memory for counting, in MB. Half holds a count-min sketch (4 rows of 32-bit counters, w = MB x 2^20 / 32 "
    "a row) that counts line hashes; it overcounts a line by at most e x P / w, P = (document, distinct line) "
    "pairs, with 98% probability: at 256 MB (w = 8.4M), at most 13 for a million documents of 40 lines. Lines "
    "whose estimate reaches the thresholds are recounted exactly in 3/8 (about 512 bytes each: 196,608 lines "
    "at 256 MB), so proposed counts are exact; if that table fills, later lines are not counted and a warning "
    "says so. 1/8 is a Bloom filter that tells copies of a document apart. Memory does not grow with the "
    "corpus, only with the number of groups."
)


@app.command()
def learn(
    paths: Annotated[
        list[str], typer.Argument(help="Folders or files of scraped text (*.txt) or JSON Lines (*.jsonl).")
    ],
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Write the rule file here (default: stdout).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the proposals as a table on stdout; write no rule file.")
    ] = False,
    group_by: Annotated[
        GroupBy,
        typer.Option(
            "--group-by",
            help="Sites are: each folder argument's sub-folders (folder), the host of each JSON Lines record's "
            "URL field (url), or the whole corpus (none).",
        ),
    ] = GroupBy.folder,
    field: Annotated[str, typer.Option("--field", help="JSON Lines: the field holding the text.")] = "text",
    url_field: Annotated[str, typer.Option("--url-field", help="JSON Lines: the field holding the URL.")] = "url",
    min_docs: Annotated[
        int, typer.Option("--min-docs", min=1, help="A line must be in at least this many documents of its site.")
    ] = 5,
    min_share: Annotated[
        float,
        typer.Option("--min-share", min=0.0, max=1.0, help="... and in at least this share of them (0.2 = 20%)."),
    ] = 0.2,
    max_memory: Annotated[float, typer.Option("--max-memory", min=1.0, help=MEMORY_HELP)] = 256.0,
    glob: Annotated[
        Optional[list[str]],
        typer.Option("--glob", help="Files to take from folders (repeatable; default: *.txt and *.jsonl)."),
    ] = None,
    name: Annotated[
        Optional[str],
        typer.Option("--name", help="With --group-by none: the site's name in rule ids (default: --out's stem)."),
    ] = None,
    count_copies: Annotated[
        bool,
        typer.Option(
            "--count-copies",
            help="Count every document. By default a document whose own lines (those not repeated enough) "
            "equal a counted document's is a copy of it (the same article under another URL) and is not counted.",
        ),
    ] = False,
    no_default_rules: Annotated[
        bool, typer.Option("--no-default-rules", help="Do not give learned lines the category of a default rule.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No table and no summary on stderr.")] = False,
) -> None:
    """Learn a site's boilerplate: lines repeated across many of its documents become exact-line rules.

    Reads the inputs twice: once to count every distinct line of every document (as hashes, in bounded
    memory), once to recount exactly the lines over --min-docs and --min-share; copies of one document count
    once. Bylines, lines of only dates and numbers, and lines without a word are listed but not learned. The
    rule file passes `stripper rules test`; use it with `stripper clean --rules FILE`.
    """
    from stripper import corpus as corpus_lib
    from stripper import files
    from stripper import learn as learn_lib
    from stripper.report import proposals_table

    if STDIN in paths:
        raise fail("learn needs files or folders: it reads them twice")
    if dry_run and out is not None:
        raise fail("--dry-run writes nothing: drop --out")
    try:
        files.check_inputs(paths)
    except files.InputError as exc:
        raise fail(str(exc)) from None
    reference = RuleSet() if no_default_rules else build_rules(None, False, None, None)
    default_globs = corpus_lib.DEFAULT_GLOBS
    corpus = corpus_lib.Corpus(
        tuple(paths),
        group_by=group_by.value,
        field=field,
        url_field=url_field,
        globs=tuple(glob or default_globs),
        name=corpus_lib.slug(name or (out.stem if out is not None else "")) or "corpus",
    )
    signal.signal(signal.SIGTERM, _interrupt)  # like Ctrl-C: no half-written rule file
    options = learn_lib.Options.from_memory(
        max_memory, min_docs=min_docs, min_share=min_share, count_copies=count_copies
    )
    err = console(stderr=True, highlight=False)
    status = err.status("learning") if err.is_terminal and not quiet else None
    if status is not None:
        status.start()
    try:
        learned = learn_lib.learn_corpus(
            corpus,
            options,
            reference,
            warn=say,
            on_pass=None if status is None else lambda n: status.update(f"learning: pass {n} of 2"),
        )
    except files.InputError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None
    finally:
        if status is not None:
            status.stop()
    reading = learned.reading
    if reading.skipped_files + reading.skipped_records > len(reading.messages):
        say(f"skipped in all: {reading.skipped_files:,} files and {reading.skipped_records:,} JSON Lines records")
    if not learned.documents:
        raise fail(f"no documents found in {', '.join(paths)} (files matching {', '.join(corpus.globs)})")
    if group_by is GroupBy.url and reading.no_url:
        no_url = reading.no_url
        say(f"{no_url:,} documents without a URL host in {url_field!r}: grouped as {corpus_lib.NO_URL!r}")
    if learned.untracked:
        say(
            f"the candidate table was full: {learned.untracked:,} line occurrences over the thresholds were not "
            "counted, so some repeated lines may be missing; raise --max-memory"
        )
    if dry_run:
        wide = None if sys.stdout.isatty() else 200  # in a pipe or file, rule ids and lines stay whole
        console(highlight=False, width=wide).print(proposals_table(learned))
        return
    if not quiet:
        err.print(proposals_table(learned))
    if out is None:
        sys.stdout.write(learned.toml())
        return
    try:
        learn_lib.write_rule_file(out, learned)
    except (files.InputError, RuleError) as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:  # the temporary file is gone; --out is as it was
        raise fail("interrupted", 130) from None
    if not quiet:
        say(f"wrote {len(learned.accepted):,} rules to {out}")


@rules_app.command("list")
def rules_list(
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
) -> None:
    """List the rules: id, category, language, kind, description."""
    from rich.table import Table

    ruleset = build_rules(rules, no_default_rules, select, ignore)
    table = Table("id", "category", "lang", "kind", "description", box=None, header_style="bold")
    for rule in ruleset:
        table.add_row(
            rule.id,
            rule.category,
            rule.lang,
            f"{rule.kind} ({'menu' if rule.menu else 'near'})" if rule.near else rule.kind,
            rule.description,
        )
    try:
        console(soft_wrap=not sys.stdout.isatty(), highlight=False).print(table)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()


@rules_app.command("test")
def rules_test(
    paths: Annotated[
        Optional[list[Path]], typer.Argument(help="Rule files or folders; default: the shipped rules.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Also fail rules without counterexamples.")] = False,
) -> None:
    """Run every rule's examples (must be removed) and counterexamples (must be kept)."""
    from stripper.ruletest import check_rules

    try:
        ruleset = RuleSet.load(paths) if paths else RuleSet.default()
    except RuleError as exc:
        raise fail(str(exc)) from None
    failures = check_rules(ruleset, require_counterexamples=strict)
    for failure in failures:
        sys.stdout.write(f"FAIL {failure}\n")
    checked = sum(len(r.examples) + len(r.counterexamples) for r in ruleset)
    sys.stdout.write(f"{len(ruleset)} rules, {checked} examples checked, {len(failures)} failures\n")
    if failures:
        raise typer.Exit(1)


# `stripper clean` with no options, as in a shell loop over single articles: the same command, called without
# the option parser, whose type conversion imports pydantic (most of the start-up time once rules are cached).
_PLAIN = (["clean"], ["clean", "-"])


def main() -> None:
    try:
        if sys.argv[1:] in _PLAIN:
            try:
                clean(paths=sys.argv[2:] or None)
            except typer.Exit as exc:
                sys.exit(exc.exit_code)
        app()
    except Exception as exc:  # a bug: one line, not a traceback, unless asked for
        if os.environ.get("STRIPPER_TRACEBACK"):
            raise
        sys.stderr.write(f"stripper: internal error: {type(exc).__name__}: {exc} (STRIPPER_TRACEBACK=1 shows where)\n")
        sys.exit(2)
