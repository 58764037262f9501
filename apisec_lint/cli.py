"""The ``apisec-lint`` command: ``check``, ``rules`` and ``explain``.

Exit status: 0 when nothing was found, 1 when there are findings (APS000
included), 2 for a usage or configuration error or a fault of the tool itself
(a rule that raised, a path that does not exist). ``--exit-zero`` turns 1 into
0 and nothing else.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Counter, List, Optional, Sequence, Tuple, Type

import click

from apisec_lint import __version__
from apisec_lint.autofix import FixSummary, fix_run
from apisec_lint.baseline import BaselineError, load_baseline, new_findings, write_baseline
from apisec_lint.cache import CACHE_DIRECTORY, ResultCache
from apisec_lint.config import (
    Config,
    ConfigError,
    find_config,
    load_config,
    project_root,
    with_command_line,
)
from apisec_lint.discovery import discover
from apisec_lint.docs import render_rule_text
from apisec_lint.parallel import DEFAULT_FILE_TIMEOUT, usable_cores
from apisec_lint.progress import Progress
from apisec_lint.reporters import REPORTERS, ReportOptions
from apisec_lint.reporters.lines import SourceLines
from apisec_lint.reporters.safe import printable
from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Rule
from apisec_lint.runner import RunOptions, RunResult, run

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"


def _codes(values: Tuple[str, ...]) -> List[str]:
    """Codes from repeated and comma-separated options: ``--select APS1,APS201``."""
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="apisec-lint")
def cli() -> None:
    """Find insecure patterns in Python API code (Flask, FastAPI, Django, aiohttp)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--select", multiple=True, help="Only these codes or prefixes (replaces the configured selection).")
@click.option("--ignore", multiple=True, help="Skip these codes or prefixes (added to the configuration).")
@click.option("--extend-select", multiple=True, help="Also run these codes or prefixes; opt-in rules need their full code.")
@click.option("--force-exclude", is_flag=True, help="Apply `exclude` to paths named on the command line too.")
@click.option("--format", "output_format", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Use this pyproject.toml.")
@click.option("--stdin-filename", help="Path to report (and match configuration against) for `-`.")
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE instead of standard output.")
@click.option("--show-source", is_flag=True, help="text: show each finding's source line with a caret under the column.")
@click.option("--statistics", is_flag=True, help="text: print how many findings each rule reported.")
@click.option("--no-color", is_flag=True, help="text: no colour even on a terminal (so does a non-empty NO_COLOR).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False, path_type=str), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False, path_type=str), help="Record today's findings in FILE instead of reporting them.")
@click.option("--fix", is_flag=True, help="Apply the fixes rules are certain of, then report what remains.")
@click.option("--diff", is_flag=True, help="Print the fixes --fix would make as a unified diff; write nothing.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: every usable core; 1 checks in this process).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Keep the result cache here (default: .apisec_cache at the project root).")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option("--file-timeout", type=click.FloatRange(min=1), default=DEFAULT_FILE_TIMEOUT, show_default=True, help="Seconds one file may take before it is stopped and reported as an error. Files are checked on worker processes (with --jobs 1 only when this option is given), and only there can a file be stopped.")
def check(
    paths: Tuple[str, ...],
    select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    force_exclude: bool,
    output_format: str,
    exit_zero: bool,
    config_path: Optional[Path],
    stdin_filename: Optional[str],
    output_file: Optional[str],
    show_source: bool,
    statistics: bool,
    no_color: bool,
    baseline_path: Optional[str],
    write_baseline_path: Optional[str],
    fix: bool,
    diff: bool,
    jobs: Optional[int],
    no_cache: bool,
    cache_dir: Optional[Path],
    quiet: bool,
    file_timeout: float,
) -> None:
    """Check PATHS (files or directories, default `.`; `-` reads standard input).

    Exit status: 0 no findings, 1 findings, 2 usage/configuration error or tool fault.
    """
    if baseline_path is not None and write_baseline_path is not None:
        raise click.UsageError("--baseline and --write-baseline cannot be combined")
    _check_fix_options(fix, diff, baseline_path or write_baseline_path, paths)
    recorded = _load_baseline(baseline_path) if baseline_path is not None else None
    rules = all_rules()
    targets = list(paths) or ["."]
    config = _configure(targets, rules, config_path, stdin_filename, select, ignore, extend_select)
    files, problems = discover([p for p in targets if p != STDIN], config, force_exclude)
    stdin = None
    if STDIN in targets:
        if sys.stdin is None or sys.stdin.closed:
            raise click.UsageError("standard input is closed; nothing to read for `-`")
        if not (force_exclude and stdin_filename and config.is_excluded(Path(stdin_filename))):
            stdin = (stdin_filename or "stdin", sys.stdin.buffer.read())
    cache = None if no_cache else ResultCache.open(cache_dir or config.root / CACHE_DIRECTORY)
    progress = Progress() if Progress.wanted(output_format, quiet or output_file is not None) else None
    # A time limit the user asked for is kept even for one job: the file then goes
    # to a worker process, the only place a stuck check can be stopped.
    timeout_given = click.get_current_context().get_parameter_source("file_timeout") not in (
        click.core.ParameterSource.DEFAULT, None
    )
    run_options = RunOptions(jobs or usable_cores(), cache, progress, file_timeout, timeout_given)
    result = run(files, problems, config, rules, stdin, run_options)
    if fix or diff:
        summary = fix_run(result, files, config, rules, write=fix)
        for message in summary.messages():
            click.echo(f"apisec-lint: {printable(message)}", err=True)
        if diff:
            _emit(summary.diff, output_file, False)
            _report_fixed(summary, "would fix")
            _report_errors(result)
            sys.exit(EXIT_ERROR if result.errors or result.missing_paths else int(bool(summary.changes)))
        _report_fixed(summary, "fixed")
        if stdin is not None and summary.stdin_output is not None:
            _write_stdout_bytes(summary.stdin_output)
            _report_errors(result)
            sys.exit(_exit_status(result, exit_zero))
    if write_baseline_path is not None:
        _write_baseline(result, write_baseline_path)
        _report_errors(result)
        sys.exit(EXIT_ERROR if result.errors or result.missing_paths else EXIT_CLEAN)
    if baseline_path is not None and recorded is not None:
        result.findings = new_findings(result.findings, SourceLines.of(result), baseline_path, recorded)
    options = ReportOptions(show_source, statistics, _use_color(no_color, output_file))
    _emit(REPORTERS[output_format](result, options), output_file, options.color)
    _report_errors(result)
    sys.exit(_exit_status(result, exit_zero))


def _check_fix_options(fix: bool, diff: bool, baseline: Optional[str], paths: Tuple[str, ...]) -> None:
    if fix and diff:
        raise click.UsageError("--fix and --diff cannot be combined; --diff alone shows the fixes")
    if (fix or diff) and baseline is not None:
        option = "--fix" if fix else "--diff"
        raise click.UsageError(f"{option} cannot be combined with --baseline or --write-baseline")
    if fix and STDIN in paths and len(paths) > 1:
        raise click.UsageError("--fix with `-` prints the fixed source; name no other paths")


def _report_fixed(summary: FixSummary, verb: str) -> None:
    count, files = summary.fixed_findings, len(summary.changes)
    findings = "finding" if count == 1 else "findings"
    noun = "file" if files == 1 else "files"
    click.echo(f"apisec-lint: {verb} {count} {findings} in {files} {noun}", err=True)


def _write_stdout_bytes(data: bytes) -> None:
    """The fixed standard input, byte for byte (its encoding and line endings)."""
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8", "replace"))
    else:
        stream.write(data)
        stream.flush()


def _use_color(no_color: bool, output_file: Optional[str]) -> bool:
    """Colour only on a terminal, never with --no-color or a non-empty NO_COLOR."""
    if no_color or os.environ.get("NO_COLOR") or output_file is not None:
        return False
    stream = sys.stdout
    return stream is not None and stream.isatty()


def _emit(report: str, output_file: Optional[str], color: bool) -> None:
    if output_file is None:
        click.echo(report, nl=False, color=color)
        return
    try:
        with open(output_file, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(report)
    except OSError as error:
        raise click.ClickException(f"cannot write {printable(output_file)}: {error.strerror}") from None


def _load_baseline(path: str) -> Counter[str]:
    try:
        return load_baseline(path)
    except BaselineError as error:
        raise click.ClickException(str(error)) from None


def _write_baseline(result: RunResult, path: str) -> None:
    try:
        write_baseline(result.findings, SourceLines.of(result), path)
    except BaselineError as error:
        raise click.ClickException(str(error)) from None
    count = len(result.findings)
    noun = "finding" if count == 1 else "findings"
    click.echo(f"apisec-lint: recorded {count} {noun} in {printable(path)}", err=True)


def _configure(
    targets: Sequence[str],
    rules: Sequence[Type[Rule]],
    config_path: Optional[Path],
    stdin_filename: Optional[str],
    select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    extend_select: Tuple[str, ...],
) -> Config:
    try:
        if config_path is not None:
            config = load_config(config_path, rules, explicit=True)
        else:
            first = targets[0] if targets[0] != STDIN else (stdin_filename or ".")
            start = _existing_ancestor(Path(first))
            found = find_config(start)
            config = load_config(found, rules) if found else Config(root=project_root(start))
        return with_command_line(
            config, rules, _codes(select) or None, _codes(ignore), _codes(extend_select)
        )
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


def _existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _report_errors(result: RunResult) -> None:
    for path in result.missing_paths:
        click.echo(f"apisec-lint: error: {printable(path)}: no such file or directory", err=True)
    for error in result.errors:
        click.echo(f"apisec-lint: error: {printable(error.path)}: {printable(error.message)}", err=True)


def _exit_status(result: RunResult, exit_zero: bool) -> int:
    if result.errors or result.missing_paths:
        return EXIT_ERROR
    if result.findings and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


@cli.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, severity, whether it runs by default, whether it can fix."""
    for rule in all_rules():
        enabled = "default" if rule.default_enabled else "opt-in"
        fixable = "fixable" if rule.fixable else ""
        click.echo(f"{rule.code}  {rule.name:<36} {rule.severity.value:<7} {enabled:<8}{fixable}".rstrip())


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation of the rule CODE (or its name)."""
    wanted = code.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted == rule.name:
            click.echo(render_rule_text(rule), nl=False)
            return
    raise click.UsageError(f"no rule has code or name {code!r}; `apisec-lint rules` lists them")


def _exit_now(status: int) -> None:
    """Leave without interpreter shutdown: the deep-stack thread may be inside
    libcst's native parser, and finalising Python under it aborts the process."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main(argv: Optional[Sequence[str]] = None, prog_name: str = "apisec-lint") -> None:
    """Run the command; every usage error is one line on standard error, exit status 2."""
    try:
        status = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name=prog_name,
            standalone_mode=False,
        )
    except (click.Abort, KeyboardInterrupt):
        click.echo("apisec-lint: aborted", err=True)
        _exit_now(EXIT_ERROR)
    except click.ClickException as error:
        hint = ""
        if isinstance(error, click.UsageError) and error.ctx is not None:
            hint = f" (see '{error.ctx.command_path} --help')"
        click.echo(f"apisec-lint: error: {error.format_message()}{hint}", err=True)
        sys.exit(EXIT_ERROR)
    except BrokenPipeError:
        sys.exit(EXIT_ERROR)
    sys.exit(status if isinstance(status, int) else EXIT_CLEAN)
