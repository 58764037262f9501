"""Remember each file's findings so an unchanged file is never parsed twice.

An entry is keyed by everything its findings depend on: the file's bytes, its
path relative to the project root (rules and per-file settings depend on it),
the tool's version, the enabled rules and their settings, and the Python
version. Entries are written atomically (a temporary file, then a rename), so
two runs at once cannot leave half an entry; an entry that does not parse or
whose recorded key differs from the one asked for is ignored and rewritten. The
oldest entries are pruned when there are many more than one run needs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set

from apisec_lint import __version__
from apisec_lint.findings import FileResult, Finding

LOG = logging.getLogger(__name__)

CACHE_DIRECTORY = ".apisec_cache"
_FORMAT = 1
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by apisec-lint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
#: Keep at most this many entries beyond what the current run used.
_SPARE_ENTRIES = 5000
#: How long after a file's last change a record of it is trusted (see known_key).
_SETTLED_NS = 2_000_000_000
#: A used entry's modification time is what pruning goes by; refreshing it on
#: every hit would cost a write per file, so it is refreshed at most hourly.
_TOUCH_AFTER_SECONDS = 3600


_code_fingerprint: Optional[str] = None


def code_fingerprint() -> str:
    """Size and modification time of every module of this package, hashed.

    The version alone would let a developer's edited rule serve findings from
    before the edit; this costs one stat per module, once per process.
    """
    global _code_fingerprint
    if _code_fingerprint is None:
        package = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for module in sorted(package.rglob("*.py")):
            status = module.stat()
            digest.update(f"{module.relative_to(package)}:{status.st_size}:{status.st_mtime_ns};".encode())
        _code_fingerprint = digest.hexdigest()
    return _code_fingerprint


class ResultCache:
    """Findings per file, stored under ``directory``; None of its errors are fatal."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._entries = directory / f"v{_FORMAT}"
        self._entries_text = str(self._entries)
        self._used = 0
        self._index_path = self._entries / "index.json"
        self._index: Optional[Dict[str, List[Any]]] = None
        self._index_changed = False
        self._index_used: Set[str] = set()

    @classmethod
    def open(cls, directory: Path) -> Optional["ResultCache"]:
        """A usable cache at ``directory``, or None (with one warning) if it cannot be written."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
            tag = directory / "CACHEDIR.TAG"
            if not tag.exists():
                _write_atomically(tag, _TAG.encode())
            ignore = directory / ".gitignore"
            if not ignore.exists():
                _write_atomically(ignore, b"# Created by apisec-lint.\n*\n")
            (directory / f"v{_FORMAT}").mkdir(exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-", delete=True)
            probe.close()
        except OSError as error:
            sys.stderr.write(
                f"apisec-lint: warning: cache {directory} is not writable "
                f"({error.strerror or error}); running without a cache\n"
            )
            return None
        return cls(directory)

    @staticmethod
    def key(
        data: bytes,
        relative_path: str,
        rule_codes: Sequence[str],
        settings: Mapping[str, Mapping[str, Any]],
        honour_noqa: bool = True,
    ) -> str:
        """The digest of everything a file's findings depend on."""
        return KeyPrefix(rule_codes, settings, honour_noqa).key(data, relative_path)

    def _path(self, key: str) -> str:
        return os.path.join(self._entries_text, key[:2], key + ".json")

    def get(self, key: str, display_path: str) -> Optional[FileResult]:
        """The stored result for ``key`` with paths shown as ``display_path``."""
        location = self._path(key)
        try:
            with open(location, "rb") as stream:
                document = json.loads(stream.read())
                modified = os.fstat(stream.fileno()).st_mtime
            if document.get("key") != key or document.get("version") != __version__:
                return None
            findings = [Finding(**{**item, "path": display_path}) for item in document["findings"]]
            if not all(_well_formed(finding) for finding in findings):
                raise ValueError("an entry's finding has a field of the wrong type")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            LOG.debug("ignoring unreadable cache entry %s", location, exc_info=True)
            return None
        self._used += 1
        if time.time() - modified > _TOUCH_AFTER_SECONDS:
            try:
                os.utime(location)
            except OSError:
                pass
        return FileResult(display_path, findings=findings)

    def put(self, key: str, result: FileResult) -> None:
        """Store ``result``, unless it holds tool errors (those must be seen again)."""
        if result.errors:
            return
        document = {
            "key": key,
            "version": __version__,
            "findings": [finding.to_json() for finding in result.findings],
        }
        self._used += 1
        location = self._path(key)
        try:
            os.makedirs(os.path.dirname(location), exist_ok=True)
            _write_atomically(Path(location), json.dumps(document).encode())
        except OSError as error:
            LOG.debug("cannot write cache entry %s: %s", location, error)

    # The file index: from a file's size, modification time and inode to the key
    # its bytes had, so an unchanged file is neither read nor hashed again. A
    # record only counts when it was made well after the file's last change:
    # within one tick of the clock a second edit could keep size and time.

    def known_key(self, relative_path: str, status: os.stat_result, prefix: "KeyPrefix") -> Optional[str]:
        """The key recorded for this file in this state, if it can be trusted."""
        record = self._load_index().get(relative_path)
        if (
            isinstance(record, list)
            and len(record) == 6
            and record[:4] == [status.st_size, status.st_mtime_ns, status.st_ino, prefix.identity]
            and isinstance(record[5], int)
            and record[5] - status.st_mtime_ns > _SETTLED_NS
            and isinstance(record[4], str)
        ):
            self._index_used.add(relative_path)
            return record[4]
        return None

    def remember(self, relative_path: str, status: os.stat_result, prefix: "KeyPrefix", key: str) -> None:
        """Record that the file, as ``status`` describes it, had ``key``."""
        index = self._load_index()
        record = [status.st_size, status.st_mtime_ns, status.st_ino, prefix.identity, key, time.time_ns()]
        self._index_used.add(relative_path)
        if index.get(relative_path) != record:
            index[relative_path] = record
            self._index_changed = True

    def save_index(self) -> None:
        """Write the index if it changed, keeping records of files this run did not
        see only while they are few (deleted and renamed files leave records)."""
        if self._index is None:
            return
        if len(self._index) > len(self._index_used) + _SPARE_ENTRIES:
            self._index = {path: self._index[path] for path in self._index_used if path in self._index}
            self._index_changed = True
        if not self._index_changed:
            return
        try:
            _write_atomically(self._index_path, json.dumps(self._index).encode())
        except OSError as error:
            LOG.debug("cannot write cache index %s: %s", self._index_path, error)
        self._index_changed = False

    def _load_index(self) -> Dict[str, List[Any]]:
        if self._index is None:
            try:
                loaded = json.loads(self._index_path.read_bytes())
                self._index = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._index = {}
        return self._index

    def prune(self) -> None:
        """Delete the least recently used entries beyond what this run needs plus a margin."""
        limit = self._used + _SPARE_ENTRIES
        entries: List[os.DirEntry] = []  # type: ignore[type-arg]
        try:
            for shard in os.scandir(self._entries):
                if shard.is_dir():
                    entries.extend(entry for entry in os.scandir(shard.path) if entry.name.endswith(".json"))
        except OSError:
            return
        if len(entries) <= limit:
            return
        by_age = sorted(entries, key=_mtime)
        for entry in by_age[: len(entries) - limit]:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _mtime(entry: "os.DirEntry[str]") -> float:
    try:
        return entry.stat().st_mtime
    except OSError:
        return 0.0


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class KeyPrefix:
    """The part of a cache key shared by every file checked with the same rules.

    Serialized once per rule selection; each file then adds only its path and bytes.
    """

    def __init__(
        self,
        rule_codes: Sequence[str],
        settings: Mapping[str, Mapping[str, Any]],
        honour_noqa: bool = True,
    ) -> None:
        header = json.dumps(
            [
                _FORMAT,
                __version__,
                code_fingerprint(),
                sys.version_info[:3],
                sorted(rule_codes),
                {code: dict(options) for code, options in sorted(settings.items())},
                honour_noqa,
            ],
            sort_keys=True,
            default=str,
        )
        self._header = header.encode()
        #: Names this rule selection in the file index.
        self.identity = hashlib.sha256(self._header).hexdigest()[:16]

    def key(self, data: bytes, relative_path: str) -> str:
        digest = hashlib.sha256(self._header)
        digest.update(b"\0")
        digest.update(relative_path.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()


_INTEGER_FIELDS = ("line", "column", "end_line", "end_column")
_TEXT_FIELDS = ("code", "rule", "severity", "message")


def _well_formed(finding: Finding) -> bool:
    """An entry edited or damaged by hand must not reach the reporters."""
    return all(
        type(getattr(finding, name)) is int and getattr(finding, name) >= 0
        for name in _INTEGER_FIELDS
    ) and all(isinstance(getattr(finding, name), str) for name in _TEXT_FIELDS)

