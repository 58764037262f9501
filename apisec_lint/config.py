"""``[tool.apisec-lint]`` in pyproject.toml: found, read, validated, merged with the CLI.

The nearest pyproject.toml that holds the table is used, looking from the first
checked path upwards and stopping at the repository root (the directory holding
``.git``), so a checkout never picks up settings from outside itself. Every key
and value is validated; a mistake is a ``ConfigError`` naming the file and key.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type

from apisec_lint.rules.base import Rule
from apisec_lint.selection import CodeSelection, SelectionError, validate_prefixes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

TABLE = "apisec-lint"

_LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude", "test-patterns")
_KNOWN_KEYS = frozenset(_LIST_KEYS) | {"per-file-ignores", "rules", "check-tests"}

#: Where test code lives by convention. Hardcoded keys, disabled verification
#: and plain-HTTP calls to local servers are how tests are meant to be written,
#: so rules skip these files unless ``check-tests = true``.
DEFAULT_TEST_PATTERNS: Tuple[str, ...] = (
    "tests",
    "test",
    "testing",
    "test_*.py",
    "*_test.py",
    "*_tests.py",
    "tests.py",
    "conftest.py",
)


class ConfigError(ValueError):
    """A configuration problem, already phrased for the user."""


@dataclass(frozen=True)
class Config:
    """Settings for one run, after the CLI's options were applied."""

    codes: CodeSelection = field(default_factory=CodeSelection)
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    rule_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    test_patterns: Tuple[str, ...] = DEFAULT_TEST_PATTERNS
    check_tests: bool = False
    #: Directory that relative patterns are matched from.
    root: Path = field(default_factory=Path.cwd)
    source: Optional[Path] = None

    def relative(self, path: "Path | str") -> str:
        """``path`` relative to the root, in forward slashes, for pattern matching.

        Called several times for every file of a run: each folder is made
        absolute once, and a path under the root is a prefix cut rather than
        ``os.path.relpath``.
        """
        directory, name = os.path.split(os.fspath(path))
        if not name:
            return self._relative_directory(directory)
        known = self._relative_directories.get(directory)
        if known is None:
            known = self._relative_directories[directory] = self._relative_directory(directory)
        if known == ".":
            return name
        if known == ".." or known.startswith("../") or name in (".", ".."):
            return self._relative_directory(os.fspath(path))  # the root itself, or outside it
        return f"{known}/{name}"

    def _relative_directory(self, directory: str) -> str:
        absolute = os.path.abspath(directory)
        prefix = self._root_prefix
        if absolute.startswith(prefix):
            relative = absolute[len(prefix):] or "."
        elif absolute + os.sep == prefix:
            relative = "."
        else:
            try:
                relative = os.path.relpath(absolute, self.root)
            except ValueError:
                relative = directory
        return relative.replace(os.sep, "/") if os.sep != "/" else relative

    @cached_property
    def _root_prefix(self) -> str:
        return os.path.join(os.path.abspath(self.root), "")

    @cached_property
    def _relative_directories(self) -> Dict[str, str]:
        """Relative form of each folder seen, as abspath is most of a warm run's cost."""
        return {}

    def is_excluded(self, path: "Path | str") -> bool:
        return bool(self.exclude) and matches_any(self.relative(path), self.exclude)

    def skips_as_test(self, path: "Path | str") -> bool:
        """Whether ``path`` is test code that rules leave alone (see DEFAULT_TEST_PATTERNS)."""
        return not self.check_tests and matches_any(self.relative(path), self.test_patterns)

    def ignores_for(self, path: "Path | str") -> Tuple[str, ...]:
        return self._ignores_for_relative(self.relative(path))

    def selection_key(self, path: "Path | str") -> Tuple[Tuple[str, ...], bool]:
        """What decides the rules for ``path``: its per-file ignores and whether it is skipped test code."""
        relative = self.relative(path)
        is_test = not self.check_tests and matches_any(relative, self.test_patterns)
        return self._ignores_for_relative(relative), is_test

    def _ignores_for_relative(self, relative: str) -> Tuple[str, ...]:
        found: List[str] = []
        for pattern, codes in self.per_file_ignores:
            if matches_any(relative, (pattern,)):
                found.extend(codes)
        return tuple(found)


def matches_any(relative: str, patterns: Sequence[str]) -> bool:
    """Glob match against the relative path, its name, or a directory prefix of it."""
    parts = relative.split("/")
    name = parts[-1]
    prefixes = ["/".join(parts[:depth]) for depth in range(1, len(parts))]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if pattern.startswith("./"):
            pattern = pattern[2:]
        if not _GLOB_CHARACTERS.intersection(pattern):
            if pattern in (relative, name) or pattern in prefixes or pattern in parts[:-1]:
                return True
            continue
        if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern):
            return True
        for depth, prefix in enumerate(prefixes):
            if fnmatch.fnmatchcase(prefix, pattern) or fnmatch.fnmatchcase(parts[depth], pattern):
                return True
    return False


_GLOB_CHARACTERS = frozenset("*?[")


#: Files and folders that mark the top of a project or checkout.
PROJECT_MARKERS = (".git", ".hg", "pyproject.toml", "setup.py", "setup.cfg")


def project_root(start: Path) -> Path:
    """Where relative patterns (``exclude``, ``test-patterns``) start when no
    configuration says so: the nearest folder holding a project marker, or else
    the folder that was named. Folders above a project never count, so a checkout
    kept under ``~/tests/`` is not taken for test code."""
    directory = start if start.is_dir() else start.parent
    directory = directory.absolute()
    for candidate in (directory, *directory.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return directory


def find_config(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml with our table, not looking above the repository root."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
        if (candidate / ".git").exists():
            return None
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{pyproject}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject}: malformed TOML: {error}") from None
    return isinstance(data.get("tool"), dict) and TABLE in data["tool"]


def load_config(path: Path, rules: Sequence[Type[Rule]], explicit: bool = False) -> Config:
    """Read and validate the table in ``path``; ``explicit`` means given by --config."""
    if not path.exists():
        raise ConfigError(f"{path}: configuration file does not exist")
    if not path.is_file():
        raise ConfigError(f"{path}: configuration is not a regular file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: malformed TOML: {error}") from None
    tool = data.get("tool", {})
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    if table is None:
        if explicit:
            raise ConfigError(f"{path}: no [tool.{TABLE}] table")
        return Config(root=path.parent.resolve(), source=path)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return _parse_table(table, path, rules)


def _parse_table(table: Dict[str, Any], path: Path, rules: Sequence[Type[Rule]]) -> Config:
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in [tool.{TABLE}]")
    lists = {key: _string_list(table, key, path) for key in _LIST_KEYS if key in table}
    for key in ("select", "ignore", "extend-select"):
        if key in lists:
            _validate_codes(lists[key], rules, f"{path}: {key}")
    codes = CodeSelection(
        select=tuple(lists.get("select", CodeSelection().select)),
        extend_select=tuple(lists.get("extend-select", ())),
        ignore=tuple(lists.get("ignore", ())),
    )
    return Config(
        codes=codes,
        exclude=tuple(lists.get("exclude", ())) + tuple(lists.get("extend-exclude", ())),
        test_patterns=tuple(lists.get("test-patterns", DEFAULT_TEST_PATTERNS)),
        check_tests=_boolean(table, "check-tests", path),
        per_file_ignores=_per_file_ignores(table.get("per-file-ignores", {}), path, rules),
        rule_settings=_rule_settings(table.get("rules", {}), path, rules),
        root=path.parent.resolve(),
        source=path,
    )


def _boolean(table: Mapping[str, Any], key: str, path: Path) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: {key} must be true or false")
    return value


def _string_list(table: Mapping[str, Any], key: str, path: Path) -> List[str]:
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return list(value)


def _validate_codes(prefixes: Sequence[str], rules: Sequence[Type[Rule]], where: str) -> None:
    try:
        validate_prefixes(prefixes, rules, where)
    except SelectionError as error:
        raise ConfigError(str(error)) from None


def _per_file_ignores(
    value: Any, path: Path, rules: Sequence[Type[Rule]]
) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: per-file-ignores must be a table of pattern = [codes]")
    entries = []
    for pattern, codes in value.items():
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ConfigError(f"{path}: per-file-ignores.{pattern!r} must be a list of strings")
        _validate_codes(codes, rules, f"{path}: per-file-ignores.{pattern!r}")
        entries.append((pattern, tuple(codes)))
    return tuple(entries)


def _rule_settings(
    value: Any, path: Path, rules: Sequence[Type[Rule]]
) -> Dict[str, Dict[str, Any]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: rules must be a table of [tool.{TABLE}.rules.<code>] tables")
    by_key = {rule.code: rule for rule in rules}
    by_key.update({rule.name: rule for rule in rules})
    settings: Dict[str, Dict[str, Any]] = {}
    for key, options in value.items():
        rule = by_key.get(key)
        where = f"{path}: [tool.{TABLE}.rules.{key}]"
        if rule is None:
            raise ConfigError(f"{where}: no rule has this code or name")
        if not isinstance(options, dict):
            raise ConfigError(f"{where} must be a table")
        known = {option.name: option for option in rule.options}
        for name, setting in options.items():
            option = known.get(name)
            if option is None:
                choices = ", ".join(sorted(known)) or "none"
                raise ConfigError(f"{where}: unknown option {name!r} (options: {choices})")
            _check_option_type(setting, option.kind, f"{where}: {name}")
        settings.setdefault(rule.code, {}).update(options)
    return settings


def _check_option_type(value: Any, kind: type, where: str) -> None:
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where} must be a list of strings")
    elif kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer")
    elif not isinstance(value, kind):
        raise ConfigError(f"{where} must be a {kind.__name__}")


def with_command_line(
    config: Config,
    rules: Sequence[Type[Rule]],
    select: Optional[Sequence[str]],
    ignore: Sequence[str],
    extend_select: Sequence[str],
) -> Config:
    """Apply --select (replaces), --ignore and --extend-select (add to the config)."""
    for option, values in (("--select", select or ()), ("--ignore", ignore), ("--extend-select", extend_select)):
        try:
            validate_prefixes(values, rules, option)
        except SelectionError as error:
            raise ConfigError(str(error)) from None
    codes = config.codes
    codes = CodeSelection(
        select=tuple(select) if select else codes.select,
        extend_select=codes.extend_select + tuple(extend_select),
        ignore=codes.ignore + tuple(ignore),
    )
    return replace(config, codes=codes)
