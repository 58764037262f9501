"""flake8 plugin: the same rules and findings as ``apisec-lint check``, inside flake8.

flake8 owns selection, ``per-file-ignores`` and the ``noqa`` of the reported line.
This plugin adds what flake8 does not do: opt-in rules run only when flake8's
``--select``/``--extend-select`` names their full code, and a ``noqa`` anywhere on a
multi-line statement suppresses its findings (unless ``--disable-noqa``). Rule
options, ``test-patterns`` and ``check-tests`` are read from ``[tool.apisec-lint]``
in the nearest pyproject.toml, so the plugin and the command agree on them.
"""

from __future__ import annotations

import argparse
import ast
import logging
import sys
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple, Type

from apisec_lint import __version__
from apisec_lint.config import Config, ConfigError, find_config, load_config, project_root
from apisec_lint.engine import RuleSelection, check_text, unparsable_result
from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Rule
from apisec_lint.source import SourceProblem, decode_source

LOG = logging.getLogger("flake8.apisec_lint")

Flake8Result = Tuple[int, int, str, type]


class ApisecLintPlugin:
    """flake8 entry point registered under the ``APS`` code prefix."""

    name = "apisec-lint"
    version = __version__

    _opt_in_selected: FrozenSet[str] = frozenset()
    #: Codes flake8 would report, or None when its options could not be read.
    _reported: Optional[FrozenSet[str]] = None
    _honour_noqa: bool = True

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        # flake8 only runs plugins after its own ast.parse succeeded, so the
        # nesting screen has already been passed; ``tree`` is otherwise unused.
        self._filename = filename
        self._lines = lines

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        named: List[str] = []
        for attribute in ("select", "extend_select", "extended_default_select", "enable_extensions"):
            value = getattr(options, attribute, None) or []
            named.extend(value)
        cls._opt_in_selected = frozenset(code.strip() for code in named)
        cls._reported = _codes_flake8_reports(options)
        cls._honour_noqa = not getattr(options, "disable_noqa", False)

    def run(self) -> Iterator[Flake8Result]:
        config = _config_near(self._filename)
        is_test = config.skips_as_test(Path(self._filename))
        selection = _selection(self._opt_in_selected, self._reported, config, is_test)
        if not selection.rules:
            return
        text = "".join(self._lines)
        problem = None if text.isascii() else _undecodable(self._filename, text)
        if problem is not None:
            result = unparsable_result(self._filename, problem, selection)
        else:
            result = check_text(
                self._filename, text, selection, self._honour_noqa, compiled_by_caller=True
            )
        for finding in result.findings:
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)
        for error in result.errors:
            LOG.warning("apisec-lint: %s: %s", error.path, error.message)
            yield 1, 0, f"APS000 apisec-lint could not finish this file: {error.message}", type(self)


def _undecodable(filename: str, text: str) -> Optional[SourceProblem]:
    """Why the file flake8 handed over cannot be decoded as CPython would, if so.

    flake8 reads a file it cannot decode again as latin-1 and checks that text, so
    invalid UTF-8 would otherwise pass silently. Only non-ASCII text can come from
    that fallback; the file on disk counts only if it is what flake8 read (not a
    ``--stdin-display-name`` that happens to exist).
    """
    try:
        data = Path(filename).read_bytes()
    except OSError:
        return None
    decoded = decode_source(data)
    if not isinstance(decoded, SourceProblem):
        return None
    as_flake8_read = data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    return decoded if as_flake8_read == text else None


def _codes_flake8_reports(options: argparse.Namespace) -> Optional[FrozenSet[str]]:
    """Our codes that survive flake8's ``--select``/``--ignore`` and their extensions.

    flake8 runs every plugin on every file and filters afterwards, so a run that
    does not select ``APS`` (``flake8 --select E,F``) would still pay for libcst;
    rules flake8 would drop are not run at all. None (run everything, let flake8
    filter) if flake8's decision engine cannot be used.
    """
    try:
        from flake8.style_guide import Decision, DecisionEngine  # type: ignore[import-untyped]

        engine = DecisionEngine(options)
        return frozenset(
            rule.code for rule in all_rules() if engine.decision_for(rule.code) is Decision.Selected
        )
    except Exception:  # noqa: BLE001 - an internal API of another project; fall back safely
        LOG.debug("cannot read flake8's selection; running every default rule", exc_info=True)
        return None


_selections: Dict[Tuple[FrozenSet[str], Optional[FrozenSet[str]], int, bool], RuleSelection] = {}


def _selection(
    opt_in_selected: FrozenSet[str],
    reported: Optional[FrozenSet[str]],
    config: Config,
    is_test: bool,
) -> RuleSelection:
    """Default rules plus opt-in rules flake8 selected by full code, less the ones
    flake8 would not report; test code as configured."""
    key = (opt_in_selected, reported, id(config), is_test)
    if key not in _selections:
        _selections[key] = _build_selection(opt_in_selected, reported, config, is_test)
    return _selections[key]


def _build_selection(
    opt_in_selected: FrozenSet[str],
    reported: Optional[FrozenSet[str]],
    config: Config,
    is_test: bool,
) -> RuleSelection:
    rules: List[Type[Rule]] = [
        rule
        for rule in all_rules()
        if (rule.default_enabled or rule.code in opt_in_selected)
        and (rule.checks_tests or not is_test)
        and (reported is None or rule.code in reported)
    ]
    return RuleSelection(tuple(rules), config.rule_settings)


@lru_cache(maxsize=256)
def _config_for_directory(directory: str) -> Config:
    # A configuration error must not end flake8's run with a traceback: the
    # plugin says so once per directory and goes on with the defaults.
    try:
        found = find_config(Path(directory))
    except ConfigError as error:
        sys.stderr.write(f"apisec-lint: warning: ignoring configuration: {error}\n")
        return Config(root=project_root(Path(directory)))
    if found is None:
        return Config(root=project_root(Path(directory)))
    try:
        return load_config(found, all_rules())
    except ConfigError as error:
        sys.stderr.write(f"apisec-lint: warning: ignoring configuration: {error}\n")
        return Config(root=found.parent)


def _config_near(filename: str) -> Config:
    """The configuration the command would use for ``filename`` (rule options, tests)."""
    if filename in ("-", "stdin"):
        directory = Path.cwd()
    else:
        directory = Path(filename).absolute().parent
        while not directory.exists() and directory != directory.parent:
            directory = directory.parent
    return _config_for_directory(str(directory))
