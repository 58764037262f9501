"""Find the Python files to check under the paths a user named.

Directories are walked for ``*.py`` without following symlinked directories (so a
symlink loop cannot trap the walk), skipping version control, virtual
environments, build output and caches. Every problem met on the way (a path that
does not exist, a directory that cannot be listed) is returned, never dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from apisec_lint.config import Config

SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", "__pycache__",
        "build", "dist", ".eggs", "node_modules", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", ".apisec_cache", "site-packages", "__pypackages__", ".direnv",
        ".hypothesis",
    }
)


@dataclass(frozen=True)
class FileToCheck:
    """A file to check: how to show it (as the user named it) and where it is."""

    display: str
    location: Path


@dataclass(frozen=True)
class DiscoveryProblem:
    """A path that could not be used: it is reported, and the run goes on."""

    display: str
    message: str
    #: True when the user named a path that is not there (a usage error).
    missing: bool = False


def discover(
    paths: List[str], config: Config, force_exclude: bool
) -> Tuple[List[FileToCheck], List[DiscoveryProblem]]:
    """Every file to check under ``paths``, sorted, and the problems met."""
    files: List[FileToCheck] = []
    problems: List[DiscoveryProblem] = []
    for given in paths:
        location = Path(given)
        if not os.path.lexists(given):
            problems.append(DiscoveryProblem(given, "no such file or directory", missing=True))
        elif location.is_dir():
            if force_exclude and config.is_excluded(location):
                continue
            _walk(given, config, files, problems)
        elif force_exclude and config.is_excluded(location):
            continue
        else:
            files.append(FileToCheck(given, location))
    unique = {(item.display, str(item.location)): item for item in files}
    found = sorted(unique.values(), key=lambda item: item.display)
    if _overlapping(paths):
        # ``. a.py ./a.py`` names one file three ways: check it once, under its first name.
        first: Dict[str, FileToCheck] = {}
        for item in found:
            first.setdefault(os.path.abspath(item.location), item)
        found = [item for item in found if first[os.path.abspath(item.location)] is item]
    return found, problems


def _overlapping(paths: List[str]) -> bool:
    """Whether one named path holds or repeats another, so a file may be found twice."""
    given = sorted(os.path.join(os.path.abspath(path), "") for path in paths)
    return any(later.startswith(earlier) for earlier, later in zip(given, given[1:]))


def _walk(top: str, config: Config, files: List[FileToCheck], problems: List[DiscoveryProblem]) -> None:
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            problems.append(DiscoveryProblem(directory, f"cannot list directory: {error.strerror}"))
            continue
        for entry in listed:
            display = os.path.join(directory, entry.name)
            if _is_directory(entry):
                if _skipped_directory(entry) or config.is_excluded(display):
                    continue
                pending.append(display)
            elif entry.name.endswith(".py") and not config.is_excluded(display):
                files.append(FileToCheck(display, Path(display)))


def _is_directory(entry: os.DirEntry) -> bool:  # type: ignore[type-arg]
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _skipped_directory(entry: os.DirEntry) -> bool:  # type: ignore[type-arg]
    if entry.name in SKIPPED_DIRECTORIES or entry.name.endswith(".egg-info"):
        return True
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))
