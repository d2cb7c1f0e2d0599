"""The `stripper` command: parse options, call the library, render."""

from __future__ import annotations

import sys
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

RulesOpt = Annotated[
    Optional[list[Path]], typer.Option("--rules", help="Extra rule file or folder (repeatable).", show_default=False)
]
NoDefaultOpt = Annotated[bool, typer.Option("--no-default-rules", help="Do not load the shipped rule set.")]
SelectOpt = Annotated[
    Optional[str], typer.Option("--select", help="Only these categories or rule id prefixes (comma-separated).")
]
IgnoreOpt = Annotated[Optional[str], typer.Option("--ignore", help="Drop these categories or id prefixes.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    sys.stderr.write(f"stripper: {message}\n")
    return typer.Exit(code)


def _split(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


def build_rules(rules: list[Path] | None, no_default: bool, select: str | None, ignore: str | None) -> RuleSet:
    """The rule set the options ask for; a bad rule file exits 2 naming the file."""
    try:
        ruleset = RuleSet() if no_default else RuleSet.default()
        if rules:
            ruleset = ruleset + RuleSet.load(rules)
        if no_default and not rules:
            raise RuleError("--no-default-rules needs --rules")
        return ruleset.select(_split(select), _split(ignore))
    except RuleError as exc:
        raise fail(str(exc)) from None


@app.command()
def clean(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Input file; none or '-' reads stdin.")] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
) -> None:
    """Write the cleaned text of a file or of stdin to stdout."""
    from stripper.engine import clean as clean_text
    from stripper.files import decode, encode

    ruleset = build_rules(rules, no_default_rules, select, ignore)
    if len(paths or []) > 1:
        raise fail("several inputs need --output-dir or --in-place")
    path = (paths or ["-"])[0]
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise fail(f"{path}: {exc.strerror or exc}") from None
    result = clean_text(decode(data), ruleset, source=path)
    sys.stdout.buffer.write(encode(result.text))
    for problem in result.problems:
        sys.stderr.write(f"stripper: {path}:{problem.line}: {problem.rule}: {problem.message}\n")


@rules_app.command("list")
def rules_list(
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
) -> None:
    """List the rules: id, category, language, kind, description."""
    from rich.console import Console
    from rich.table import Table

    ruleset = build_rules(rules, no_default_rules, select, ignore)
    table = Table("id", "category", "lang", "kind", "description", box=None, header_style="bold")
    for rule in ruleset:
        table.add_row(rule.id, rule.category, rule.lang, rule.kind, rule.description)
    Console(soft_wrap=not sys.stdout.isatty()).print(table)


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


def main() -> None:
    app()
