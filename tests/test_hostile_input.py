"""Bad input gets a clear answer and the run goes on: the hostile-input matrix.

Every case runs through the command (text and JSON, in this process) and through
real flake8 (a subprocess), each with its exact outcome: exit status, findings or
APS000 with reason and position, and the one-line error on standard error. No
case may print a traceback from apisec-lint. Where flake8 has its own convention
(E999 for what CPython cannot parse, E902 for what cannot be read, both outside
the APS prefix) the flake8 outcome is pinned separately, with the reason.

flake8 runs with ``--select APS,E902,E999``: with ``--select APS`` alone it
reports nothing at all for a file CPython cannot parse (its own E999 is then
deselected and plugins never see such a file), which would pin silence.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest

import apisec_lint.cli
from tests.test_cli import run_cli

APS201 = (
    "`requests.get()` with `verify=False` skips certificate checks; remove it or pass a CA bundle"
)
INSECURE_CALL = "requests.get(URL, verify=False, timeout=5)"
INSECURE = f"import requests\n{INSECURE_CALL}\n"
FLAKE8_SELECT = ("--select", "APS,E902,E999")

#: (line, column, code, message) of one finding in app.py.
Expected = Tuple[int, int, str, str]


def insecure_at(line: int, column: int) -> Tuple[Expected, ...]:
    return ((line, column, "APS201", APS201),)


def unparsable(line: int, column: int, message: str) -> Tuple[Expected, ...]:
    return ((line, column, "APS000", message),)


@dataclass(frozen=True)
class Case:
    """One file, app.py, and what both front ends must say about it."""

    id: str
    build: Callable[[], bytes]
    findings: Tuple[Expected, ...]
    #: flake8's stdout lines when they differ from the command's finding lines.
    flake8_lines: Optional[Tuple[str, ...]] = None
    #: Oldest interpreter whose parser (which flake8 uses) knows this grammar.
    grammar: Tuple[int, int] = (3, 9)
    #: flake8 itself fails on this file before or inside a plugin (see the case).
    flake8_crash: Optional[str] = None


def _text(source: str) -> Callable[[], bytes]:
    return lambda: source.encode("utf-8")


def _generated_100k_lines() -> bytes:
    # Blank lines and comments: libcst parses only about ten thousand statements a
    # second, so 100,000 statements would take this file past its time budget on
    # their own. The line count, the offsets and the finding on the very last line
    # are what this case is about.
    lines = [f"# generated line {n}\n" if n % 100 == 0 else "\n" for n in range(99_998)]
    return ("".join(lines) + INSECURE).encode()


CONTENT_CASES: Sequence[Case] = (
    # Not Python 3.
    Case(
        "python2-print",
        _text('print "hello"\n'),
        unparsable(1, 1, "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)?"),
        ("app.py:1:2: E999 SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?",),
    ),
    Case(
        "half-written",
        _text("def handler(request:\n    return request.args\n"),
        unparsable(1, 12, "cannot parse: '(' was never closed"),
        ("app.py:1:13: E999 SyntaxError: '(' was never closed",),
    ),
    Case(
        "merge-conflict-marker",
        _text("<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> feature\n"),
        unparsable(1, 1, "cannot parse: invalid syntax"),
        ("app.py:1:2: E999 SyntaxError: invalid syntax",),
    ),
    # Newest grammar: libcst parses it whatever the interpreter, so the rules run;
    # flake8 parses with the running interpreter first.
    Case(
        "pep695-type-parameters",
        _text(
            "import requests\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n\n"
            f"type Pair[T] = tuple[T, T]\n{INSECURE_CALL}\n"
        ),
        insecure_at(7, 19),
        grammar=(3, 12),
    ),
    Case(
        "match-statement",
        _text(f"import requests\nmatch command:\n    case [x]:\n        {INSECURE_CALL}\n"),
        insecure_at(4, 27),
        grammar=(3, 10),
    ),
    Case(
        "pep701-f-strings",
        _text(
            "import requests\nname = f\"{'a' if x else \"b\"}\"\n"
            "requests.get(f\"{URL}/{f\"{x}\"}\", verify=False, timeout=5)\n"
        ),
        insecure_at(3, 33),
        grammar=(3, 12),
    ),
    Case(
        "except-star",
        _text(f"import requests\ntry:\n    pass\nexcept* ValueError:\n    {INSECURE_CALL}\n"),
        insecure_at(5, 23),
        grammar=(3, 11),
    ),
    # Encodings. Columns count code points, so the non-ASCII text before the
    # keyword must not shift them.
    Case(
        "latin-1-cookie",
        lambda: "# -*- coding: latin-1 -*-\nimport requests\nrequests.get('caf\xe9', verify=False, timeout=5)\n".encode("latin-1"),
        insecure_at(3, 22),
    ),
    Case(
        "cp1252-cookie",
        lambda: "# coding: cp1252\nimport requests\nrequests.get('\u20ac\u2014', verify=False, timeout=5)\n".encode("cp1252"),
        insecure_at(3, 20),
    ),
    Case("utf-8-bom", lambda: b"\xef\xbb\xbf" + INSECURE.encode(), insecure_at(2, 19)),
    Case(
        "invalid-utf-8",
        lambda: b"import requests\nx = '\xff\xfe'\n",
        unparsable(2, 6, "cannot decode as utf-8: invalid byte 0xff"),
    ),
    Case(
        "nul-byte",
        lambda: b"import requests\nx = 1\x00\n",
        unparsable(2, 6, "source contains a NUL byte"),
        ("app.py:1:1: E999 SyntaxError: source code string cannot contain null bytes",),
    ),
    Case("crlf", lambda: INSECURE.replace("\n", "\r\n").encode(), insecure_at(2, 19)),
    Case("lone-cr", lambda: INSECURE.replace("\n", "\r").encode(), insecure_at(2, 19)),
    Case(
        "form-feeds",
        _text(f"import requests\n\x0c\ndef f():\n\x0c    return {INSECURE_CALL}\n"),
        insecure_at(4, 31),
    ),
    Case(
        # After indentation a form feed resets CPython's column count.
        "form-feed-inside-indentation",
        _text(f"import requests\n\ndef f():\n    \x0creturn {INSECURE_CALL}\n"),
        unparsable(4, 6, "cannot parse: expected an indented block after function definition on line 3"),
        ("app.py:4:7: E999 IndentationError: expected an indented block after function definition on line 3",),
    ),
    Case(
        "tabs-and-spaces-consistent",
        _text(f"import requests\nif x:\n\ty = 1\n\tif y:\n\t    {INSECURE_CALL}\n"),
        insecure_at(5, 24),
    ),
    Case(
        "tabs-and-spaces-inconsistent",
        _text("import requests\nif x:\n        y = 1\n\tz = 2\n"),
        unparsable(4, 1, "cannot parse: inconsistent use of tabs and spaces in indentation"),
        ("app.py:4:2: E999 TabError: inconsistent use of tabs and spaces in indentation",),
    ),
    # Sizes and shapes.
    Case("empty", lambda: b"", ()),
    Case("100000-lines", _generated_100k_lines, insecure_at(100_000, 19)),
    Case(
        "1-mb-string-literal",
        lambda: ('BIG = "' + "a" * 1_000_000 + '"\n' + INSECURE).encode(),
        insecure_at(3, 19),
    ),
    Case(
        "10000-element-dict",
        lambda: ("DATA = {" + ", ".join(f'"k{n}": {n}' for n in range(10_000)) + "}\n" + INSECURE).encode(),
        insecure_at(3, 19),
    ),
    Case(
        # Near CPython's limit (about 2,990 levels from a shallow stack, fewer from a
        # deeper one, see the report in issue 7): libcst and the rules
        # must cope on their own deep stack.
        "unary-nested-2500-deep",
        lambda: ("x = " + "-" * 2500 + "1\n" + INSECURE).encode(),
        insecure_at(3, 19),
        flake8_crash="pyflakes",
    ),
    Case(
        "indentation-99-deep",
        lambda: ("".join(" " * i + "if x:\n" for i in range(99)) + " " * 99 + "pass\n" + INSECURE).encode(),
        insecure_at(102, 19),
    ),
    # Beyond CPython's limits: APS000, never handed to libcst's native parser.
    Case(
        "unary-nested-3000-deep",
        lambda: ("x = " + "-" * 3000 + "1\n" + INSECURE).encode(),
        unparsable(1, 1, "beyond CPython's nesting limits: expression nested too deeply to compile"),
        flake8_crash="ast.parse",
    ),
    Case(
        "brackets-3000-deep",
        lambda: ("x = " + "(" * 3000 + "1" + ")" * 3000 + "\n").encode(),
        unparsable(1, 205, "beyond CPython's nesting limits: too many nested parentheses"),
        ("app.py:1:206: E999 SyntaxError: too many nested parentheses",),
    ),
    Case(
        "indentation-100-deep",
        lambda: ("".join(" " * i + "if x:\n" for i in range(100)) + " " * 100 + "pass\n").encode(),
        unparsable(101, 1, "beyond CPython's nesting limits: too many levels of indentation"),
        ("app.py:101:2: E999 IndentationError: too many levels of indentation",),
    ),
)


def summary(findings: int, files: int, scanned: int) -> str:
    """The text summary for findings that are all high severity (APS000, APS201)."""
    if not findings:
        return f"No findings in {scanned} file{'s' if scanned != 1 else ''} scanned."
    return (
        f"Found {findings} finding{'s' if findings != 1 else ''} ({findings} high) "
        f"in {files} file{'s' if files != 1 else ''}; {scanned} file{'s' if scanned != 1 else ''} scanned."
    )


def finding_lines(path: str, findings: Sequence[Expected]) -> List[str]:
    return [f"{path}:{line}:{column}: {code} {message}" for line, column, code, message in findings]


def json_findings(out: str) -> List[Tuple[str, int, int, str, str]]:
    import json

    document = json.loads(out)
    return [(f["path"], f["line"], f["column"], f["code"], f["message"]) for f in document["findings"]]


def check(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> Tuple[int, str, str]:
    status, out, err = run_cli(["check", "--no-cache", "--quiet", *args], capsys)
    assert "Traceback" not in out + err
    return status, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", CONTENT_CASES, ids=lambda case: case.id)
def test_command_text_and_json(case: Case, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_bytes(case.build())
    status, out, err = check(["app.py"], capsys)
    expected_lines = finding_lines("app.py", case.findings)
    assert out.splitlines() == [*expected_lines, summary(len(case.findings), 1, 1)]
    assert (status, err) == (1 if case.findings else 0, "")
    status, out, err = check(["--format", "json", "app.py"], capsys)
    assert json_findings(out) == [("app.py", *finding) for finding in case.findings]
    assert (status, err) == (1 if case.findings else 0, "")


def _flake8(
    cwd: Path, *args: str, bootstrap: str = "", jobs: int = 1
) -> subprocess.CompletedProcess[str]:
    """flake8 in a subprocess; ``bootstrap`` runs first in that process (to simulate)."""
    code = f"import sys\n{bootstrap}\nfrom flake8.main.cli import main\nsys.exit(main())"
    command = [sys.executable, "-c", code, "--isolated", "--jobs", str(jobs), *args]
    completed = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, errors="surrogateescape", timeout=300
    )
    return completed


@pytest.fixture(scope="module")
def flake8_runs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Tuple[int, List[str], str]]:
    """Every content case through flake8: exit status, stdout lines and stderr of each.

    flake8 takes a second to start with every plugin loaded, so the cases that
    flake8 survives share one run (each case in its own project directory, its
    lines told apart by that directory) and flake8's exit status, which is 1
    exactly when it printed something, is checked per case from its lines. A case
    that makes flake8 itself fail gets a run of its own, concurrently.
    """
    root = tmp_path_factory.mktemp("flake8-cases")
    for case in CONTENT_CASES:
        directory = root / case.id
        directory.mkdir()
        (directory / ".git").mkdir()
        (directory / "app.py").write_bytes(case.build())
    shared = [case.id for case in CONTENT_CASES if case.flake8_crash is None]
    alone = [case.id for case in CONTENT_CASES if case.flake8_crash is not None]
    with ThreadPoolExecutor(max_workers=1 + len(alone)) as pool:
        batch = pool.submit(
            _flake8, root, *FLAKE8_SELECT, *(f"{name}/app.py" for name in shared), jobs=2
        )
        separate = {name: pool.submit(_flake8, root / name, *FLAKE8_SELECT, "app.py") for name in alone}
        runs: Dict[str, Tuple[int, List[str], str]] = {}
        for name, future in separate.items():
            completed = future.result()
            runs[name] = (completed.returncode, completed.stdout.splitlines(), completed.stderr)
        completed = batch.result()
    assert "Traceback" not in completed.stderr
    lines = completed.stdout.splitlines()
    assert completed.returncode == (1 if lines else 0)
    for name in shared:
        own = [line[len(name) + 1 :] for line in lines if line.startswith(f"{name}/app.py:")]
        runs[name] = (1 if own else 0, own, completed.stderr)
    return runs


PYFLAKES_RECURSION = (
    "app.py: \"pyflakes[F]\" failed during execution due to RecursionError('maximum recursion depth exceeded')",
    "Run flake8 with greater verbosity to see more details",
)


@pytest.mark.parametrize("case", CONTENT_CASES, ids=lambda case: case.id)
def test_flake8(case: Case, flake8_runs: Dict[str, Tuple[int, List[str], str]]) -> None:
    status, lines, stderr = flake8_runs[case.id]
    if case.flake8_crash == "pyflakes":
        # flake8 runs pyflakes on every file whatever is selected, and pyflakes
        # recurses in Python under flake8's default recursion limit; its failure
        # stops the run before our plugin's findings are printed. Not ours to fix.
        assert (status, lines) == (1, list(PYFLAKES_RECURSION))
        return
    if case.flake8_crash == "ast.parse":
        # flake8's own ast.parse raises RecursionError, which flake8 does not
        # catch: its traceback, before any plugin runs. Not ours to fix.
        assert (status, lines) == (1, [])
        assert stderr.rstrip().endswith("RecursionError: maximum recursion depth exceeded during ast construction")
        assert "apisec_lint" not in stderr
        return
    if sys.version_info < case.grammar:
        # flake8 parses with the running interpreter first: E999, plugins never run.
        assert len(lines) == 1 and re.fullmatch(r"app\.py:\d+:\d+: E999 SyntaxError: .+", lines[0])
        assert status == 1
        return
    expected = list(case.flake8_lines) if case.flake8_lines is not None else finding_lines("app.py", case.findings)
    assert (lines, status) == (expected, 1 if expected else 0)
    assert stderr == ""


# ---- The file system ---------------------------------------------------------------


def test_directory_named_like_a_module(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "x.py").mkdir()
    (project / "x.py" / "notes.txt").write_text("not python\n")
    assert check(["x.py"], capsys) == (0, "No findings in 0 files scanned.\n", "")
    status, out, _ = check(["--format", "json", "x.py"], capsys)
    assert (status, json_findings(out)) == (0, [])
    completed = _flake8(project, *FLAKE8_SELECT, "x.py")
    assert (completed.returncode, completed.stdout, completed.stderr) == (0, "", "")


@pytest.mark.parametrize(
    "make_link, reason, flake8_error",
    [
        (
            lambda p: os.symlink("loop.py", p / "loop.py"),
            "Too many levels of symbolic links",
            "OSError: [Errno 40] Too many levels of symbolic links: './loop.py'",
        ),
        (
            lambda p: os.symlink("missing.py", p / "loop.py"),
            "No such file or directory",
            "FileNotFoundError: [Errno 2] No such file or directory: './loop.py'",
        ),
    ],
    ids=["symlink-loop", "broken-symlink"],
)
def test_bad_symlinks_are_aps000_and_the_walk_goes_on(
    make_link: Callable[[Path], None],
    reason: str,
    flake8_error: str,
    project: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_link(project)
    (project / "app.py").write_text(INSECURE)
    (project / "sub").mkdir()
    os.symlink("..", project / "sub" / "up")  # a directory loop: never followed
    expected = [
        ("./app.py", 2, 19, "APS201", APS201),
        ("./loop.py", 1, 1, "APS000", f"cannot read: {reason}"),
    ]
    status, out, err = check(["."], capsys)
    assert out.splitlines() == [
        f"{path}:{line}:{column}: {code} {message}" for path, line, column, code, message in expected
    ] + [summary(2, 2, 2)]
    assert (status, err) == (1, "")
    status, out, _ = check(["--format", "json", "."], capsys)
    assert (status, json_findings(out)) == (1, expected)
    completed = _flake8(project, *FLAKE8_SELECT, ".")
    # flake8 reports a file it cannot open as E902 at line 0, and goes on.
    assert completed.stdout.splitlines() == [
        f"./app.py:2:19: APS201 {APS201}",
        f"./loop.py:0:1: E902 {flake8_error}",
    ]
    assert completed.returncode == 1


UNREADABLE = """
import tokenize
_real_open = tokenize.open
def _open(name):
    if str(name).endswith("locked.py"):
        raise PermissionError(13, "Permission denied", name)
    return _real_open(name)
tokenize.open = _open
"""


def test_file_without_read_permission(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that cannot be read is APS000 and the other files are still checked.

    The suite runs as root in CI, and root reads files whatever their mode, so
    ``chmod 000`` proves nothing there: reading ``locked.py`` is made to fail
    with the PermissionError the kernel would raise, in this process for the
    command and in flake8's process (through its ``tokenize.open``) for flake8.
    """
    (project / "locked.py").write_text(INSECURE)
    (project / "app.py").write_text(INSECURE)
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    expected = [
        ("app.py", 2, 19, "APS201", APS201),
        ("locked.py", 1, 1, "APS000", "cannot read: Permission denied"),
    ]
    status, out, err = check(["app.py", "locked.py"], capsys)
    assert out.splitlines() == [
        f"{path}:{line}:{column}: {code} {message}" for path, line, column, code, message in expected
    ] + [summary(2, 2, 2)]
    assert (status, err) == (1, "")
    status, out, _ = check(["--format", "json", "app.py", "locked.py"], capsys)
    assert (status, json_findings(out)) == (1, expected)
    completed = _flake8(project, *FLAKE8_SELECT, "app.py", "locked.py", bootstrap=UNREADABLE)
    assert completed.stdout.splitlines() == [
        f"app.py:2:19: APS201 {APS201}",
        "locked.py:0:1: E902 PermissionError: [Errno 13] Permission denied: 'locked.py'",
    ]
    assert completed.returncode == 1


def test_path_that_does_not_exist_is_exit_2_and_the_others_are_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app.py").write_text(INSECURE)
    status, out, err = check(["nothere.py", "app.py"], capsys)
    assert out.splitlines() == [f"app.py:2:19: APS201 {APS201}", summary(1, 1, 1)]
    assert (status, err) == (2, "apisec-lint: error: nothere.py: no such file or directory\n")
    status, out, err = check(["--format", "json", "nothere.py", "app.py"], capsys)
    import json

    document = json.loads(out)
    assert document["errors"] == [{"path": "nothere.py", "message": "no such file or directory"}]
    assert json_findings(out) == [("app.py", 2, 19, "APS201", APS201)]
    assert (status, err) == (2, "apisec-lint: error: nothere.py: no such file or directory\n")
    completed = _flake8(project, *FLAKE8_SELECT, "nothere.py", "app.py")
    # flake8 has no usage error for it: E902 like any file it cannot open.
    assert completed.stdout.splitlines() == [
        f"app.py:2:19: APS201 {APS201}",
        "nothere.py:0:1: E902 FileNotFoundError: [Errno 2] No such file or directory: 'nothere.py'",
    ]
    assert completed.returncode == 1


DELETE_AFTER_LISTING = """
import os
import flake8.checker
_real_expand = flake8.checker.expand_paths
def _expand(**options):
    names = list(_real_expand(**options))
    os.remove("./gone.py")
    return names
flake8.checker.expand_paths = _expand
"""


def test_file_deleted_while_the_run_goes_on(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file listed by discovery and gone when it is read: APS000, no race needed.

    Discovery is wrapped so that the file is removed right after it was listed,
    which is the window a concurrent ``git checkout`` would hit.
    """
    real_discover = apisec_lint.cli.discover

    def discover_then_delete(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        found = real_discover(*args, **kwargs)  # type: ignore[arg-type]
        (project / "gone.py").unlink()
        return found

    monkeypatch.setattr(apisec_lint.cli, "discover", discover_then_delete)
    expected = [
        ("./app.py", 2, 19, "APS201", APS201),
        ("./gone.py", 1, 1, "APS000", "cannot read: No such file or directory"),
    ]
    for output_format in ("text", "json"):
        (project / "app.py").write_text(INSECURE)
        (project / "gone.py").write_text(INSECURE)
        status, out, err = check(["--format", output_format, "."], capsys)
        if output_format == "text":
            assert out.splitlines() == [
                f"{path}:{line}:{column}: {code} {message}" for path, line, column, code, message in expected
            ] + [summary(2, 2, 2)]
        else:
            assert json_findings(out) == expected
        assert (status, err) == (1, "")
    (project / "gone.py").write_text(INSECURE)
    completed = _flake8(project, *FLAKE8_SELECT, ".", bootstrap=DELETE_AFTER_LISTING)
    assert completed.stdout.splitlines() == [
        f"./app.py:2:19: APS201 {APS201}",
        "./gone.py:0:1: E902 FileNotFoundError: [Errno 2] No such file or directory: './gone.py'",
    ]
    assert completed.returncode == 1


def test_non_utf8_file_name(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = b"caf\xe9.py"
    with open(os.path.join(os.fsencode(project), name), "wb") as handle:
        handle.write(INSECURE.encode())
    status, out, err = check(["."], capsys)
    # The undecodable byte is shown as an escape, never written raw.
    assert out.splitlines() == [f"./caf\\xe9.py:2:19: APS201 {APS201}", summary(1, 1, 1)]
    assert (status, err) == (1, "")
    status, out, _ = check(["--format", "json", "."], capsys)
    assert (status, json_findings(out)) == (1, [("./" + os.fsdecode(name), 2, 19, "APS201", APS201)])
    completed = _flake8(project, "--select", "APS", ".")
    # flake8's own formatter encodes the name as strict UTF-8 and fails with a
    # traceback after our plugin reported; not ours to fix.
    assert completed.returncode == 1
    assert completed.stderr.rstrip().endswith("surrogates not allowed")
    assert "apisec_lint" not in completed.stderr


# ---- Configuration -----------------------------------------------------------------

CONFIG_CASES = [
    ("malformed-toml", '[tool.apisec-lint\nselect = ["APS"]\n',
     "malformed TOML: Expected ']' at the end of a table declaration (at line 1, column 18)"),
    ("table-not-a-table", "[tool]\napisec-lint = 3\n", "[tool.apisec-lint] must be a table"),
    ("unknown-key", "[tool.apisec-lint]\ncolour = true\n", "unknown key 'colour' in [tool.apisec-lint]"),
    ("select-type", '[tool.apisec-lint]\nselect = "APS"\n', "select must be a list of strings"),
    ("ignore-type", "[tool.apisec-lint]\nignore = [201]\n", "ignore must be a list of strings"),
    ("extend-select-type", '[tool.apisec-lint]\nextend-select = "APS508"\n', "extend-select must be a list of strings"),
    ("exclude-type", '[tool.apisec-lint]\nexclude = "migrations"\n', "exclude must be a list of strings"),
    ("extend-exclude-type", "[tool.apisec-lint]\nextend-exclude = 3\n", "extend-exclude must be a list of strings"),
    ("test-patterns-type", '[tool.apisec-lint]\ntest-patterns = "tests"\n', "test-patterns must be a list of strings"),
    ("check-tests-type", '[tool.apisec-lint]\ncheck-tests = "yes"\n', "check-tests must be true or false"),
    ("per-file-ignores-type", '[tool.apisec-lint]\nper-file-ignores = ["x"]\n',
     "per-file-ignores must be a table of pattern = [codes]"),
    ("per-file-ignores-entry-type", '[tool.apisec-lint.per-file-ignores]\n"x/*" = "APS201"\n',
     "per-file-ignores.'x/*' must be a list of strings"),
    ("rules-type", '[tool.apisec-lint]\nrules = ["APS101"]\n',
     "rules must be a table of [tool.apisec-lint.rules.<code>] tables"),
    ("rule-table-type", '[tool.apisec-lint.rules]\nAPS103 = "x"\n', "[tool.apisec-lint.rules.APS103] must be a table"),
    ("rule-option-type", '[tool.apisec-lint.rules.APS103]\nextra-claim-names = "pin"\n',
     "[tool.apisec-lint.rules.APS103]: extra-claim-names must be a list of strings"),
    ("rule-option-unknown", "[tool.apisec-lint.rules.APS101]\nnope = 1\n",
     "[tool.apisec-lint.rules.APS101]: unknown option 'nope' (options: none)"),
    ("unknown-code-in-rules", "[tool.apisec-lint.rules.APS999]\n", "[tool.apisec-lint.rules.APS999]: no rule has this code or name"),
]
UNKNOWN_CODE_CASES = [
    ("unknown-code-in-select", '[tool.apisec-lint]\nselect = ["APS999"]\n', "select"),
    ("unknown-code-in-ignore", '[tool.apisec-lint]\nignore = ["APS999"]\n', "ignore"),
    ("unknown-code-in-per-file-ignores", '[tool.apisec-lint.per-file-ignores]\n"x/*" = ["APS999"]\n',
     "per-file-ignores.'x/*'"),
]


def _config_error_cases() -> Iterator[Tuple[str, str, Callable[[Path], str]]]:
    for name, toml, message in CONFIG_CASES:
        yield name, toml, (lambda path, message=message: f"{path}: {message}")
    for name, toml, key in UNKNOWN_CODE_CASES:
        yield name, toml, (lambda path, key=key: f"unknown rule code or prefix 'APS999' in {path}: {key}")


CONFIG_ERROR_CASES = list(_config_error_cases())


@pytest.fixture(scope="module")
def flake8_config_runs(tmp_path_factory: pytest.TempPathFactory) -> Tuple[int, List[str], List[str], Path]:
    """Every configuration case through one flake8 run, each in its own project.

    The plugin finds each project's pyproject.toml from the file's directory, so
    one run sees them all; the stdout lines are told apart by directory.
    """
    root = tmp_path_factory.mktemp("flake8-config").resolve()
    for name, toml, _ in CONFIG_ERROR_CASES:
        (root / name).mkdir()
        (root / name / ".git").mkdir()
        (root / name / "pyproject.toml").write_text(toml)
        (root / name / "app.py").write_text(INSECURE)
    completed = _flake8(root, "--select", "APS", *(f"{name}/app.py" for name, _, _ in CONFIG_ERROR_CASES))
    return completed.returncode, completed.stdout.splitlines(), completed.stderr.splitlines(), root


@pytest.mark.parametrize(
    "name, toml, error", CONFIG_ERROR_CASES, ids=[case[0] for case in CONFIG_ERROR_CASES]
)
def test_configuration_error_is_one_line_exit_2(
    name: str,
    toml: str,
    error: Callable[[Path], str],
    project: Path,
    capsys: pytest.CaptureFixture[str],
    flake8_config_runs: Tuple[int, List[str], List[str], Path],
) -> None:
    pyproject = project.resolve() / "pyproject.toml"
    pyproject.write_text(toml)
    (project / "app.py").write_text(INSECURE)
    for output_format in ("text", "json"):
        status, out, err = check(["--format", output_format, "app.py"], capsys)
        assert (status, out) == (2, "")
        assert err == f"apisec-lint: error: {error(pyproject)} (see 'apisec-lint check --help')\n"
    # flake8 owns its run: the plugin says once that it ignores the configuration
    # and checks with the defaults.
    status, stdout, stderr, root = flake8_config_runs
    warning = f"apisec-lint: warning: ignoring configuration: {error(root / name / 'pyproject.toml')}"
    assert stderr.count(warning) == 1
    assert [line for line in stdout if line.startswith(f"{name}/")] == [f"{name}/app.py:2:19: APS201 {APS201}"]
    assert status == 1


def test_pyproject_without_the_table_is_ignored_unless_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[project]\nname = "service"\n\n[tool.black]\nline-length = 100\n')
    (project / "app.py").write_text(INSECURE)
    status, out, err = check(["app.py"], capsys)
    assert (status, out.splitlines(), err) == (1, [f"app.py:2:19: APS201 {APS201}", summary(1, 1, 1)], "")
    status, out, err = check(["--format", "json", "app.py"], capsys)
    assert (status, json_findings(out), err) == (1, [("app.py", 2, 19, "APS201", APS201)], "")
    status, out, err = check(["--config", "pyproject.toml", "app.py"], capsys)
    assert (status, out) == (2, "")
    assert err == "apisec-lint: error: pyproject.toml: no [tool.apisec-lint] table (see 'apisec-lint check --help')\n"
    completed = _flake8(project, "--select", "APS", "app.py")
    assert (completed.returncode, completed.stdout, completed.stderr) == (1, f"app.py:2:19: APS201 {APS201}\n", "")


def test_unknown_code_on_the_command_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text(INSECURE)
    status, out, err = check(["--select", "APS999", "app.py"], capsys)
    assert (status, out) == (2, "")
    assert err == "apisec-lint: error: unknown rule code or prefix 'APS999' in --select (see 'apisec-lint check --help')\n"
