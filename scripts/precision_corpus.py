"""Measure apisec-lint's precision on real projects from the package index.

    python scripts/precision_corpus.py [--only NAME ...] [--peers] [--output docs/precision/findings.md]

The source distributions pinned below are downloaded once into
``~/.cache/apisec-lint/precision-corpus`` (or ``$APISEC_PRECISION_CORPUS``), outside
the repository, unpacked, and scanned with
every default-on rule (``--format json --no-cache``), skipping test code as a
user's run does. Each finding is matched with its reviewed verdict in
``docs/precision/verdicts.tsv`` (true problem or false alarm, with a one-line
reason) and the report lists every finding per rule with the precision of each
rule; the report holds numbers and positions, never the projects' code.

With ``--peers`` the same files (and ``fixtures/``) are also checked with
bandit and ruff's ``S`` rules, and their findings in the rows the tools share
are counted against the verdicts in ``docs/precision/peer_verdicts.tsv``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tarfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
#: Outside the repository, so linters run over scripts/ never see the projects' code.
CORPUS = Path(
    os.environ.get("APISEC_PRECISION_CORPUS")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "apisec-lint" / "precision-corpus"
)
DOCS = REPO / "docs" / "precision"
VERDICTS = DOCS / "verdicts.tsv"
PEER_VERDICTS = DOCS / "peer_verdicts.tsv"
BIN = Path(sys.executable).parent

sys.path.insert(0, str(REPO))
from apisec_lint.config import DEFAULT_TEST_PATTERNS, matches_any  # noqa: E402


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    kind: str  # "library" or "application"

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"


PROJECTS: Tuple[Project, ...] = (
    Project("django", "5.1.4", "library"),
    Project("flask", "3.1.0", "library"),
    Project("fastapi", "0.115.6", "library"),
    Project("starlette", "1.10.0", "library"),
    Project("aiohttp", "3.14.5", "library"),
    Project("requests", "2.32.3", "library"),
    Project("httpx", "0.28.1", "library"),
    Project("pyjwt", "2.10.1", "library"),
    Project("authlib", "1.9.10", "library"),
    Project("python-jose", "3.5.0", "library"),
    Project("djangorestframework", "3.15.1", "library"),
    Project("django-allauth", "65.22.1", "library"),
    Project("flask-appbuilder", "5.3.0", "library"),
    Project("wagtail", "8.0.1", "application"),
    Project("flaskbb", "2.0.2", "application"),
    Project("misago", "0.39.6", "application"),
    Project("django-helpdesk", "2.6.1", "application"),
    Project("mezzanine", "6.1.1", "application"),
    Project("fastapi-admin", "1.0.4", "application"),
)

# Rows that apisec-lint, bandit and ruff's S rules share: our codes, bandit's, ruff's.
PEER_ROWS: Tuple[Tuple[str, Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]], ...] = (
    ("hardcoded secrets", ("APS101", "APS502"), ("B105", "B106", "B107"), ("S105", "S106", "S107")),
    ("TLS verification", ("APS201", "APS202"), ("B501", "B323"), ("S501", "S323")),
    ("debug mode", ("APS402",), ("B201",), ("S201",)),
    ("timeouts", ("APS503",), ("B113",), ("S113",)),
    ("SQL injection", ("APS301",), ("B608",), ("S608",)),
    ("shell injection", ("APS302",), ("B602", "B604", "B605", "B609"), ("S602", "S604", "S605", "S609")),
)


@dataclass(frozen=True)
class Finding:
    tool: str
    project: str
    path: str
    line: int
    column: int
    code: str


def normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def fetch(project: Project) -> Path:
    """Download and unpack one pinned sdist (once); return the unpacked folder."""
    target = CORPUS / project.label
    if target.is_dir():
        return target
    downloads = CORPUS / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    archive = _archive(project, downloads)
    if archive is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", f"{project.name}=={project.version}", "-d", str(downloads)],
            check=True,
        )
        archive = _archive(project, downloads)
        if archive is None:
            raise SystemExit(f"{project.label}: pip saved no source distribution")
    staging = CORPUS / f".unpack-{project.label}"
    with tarfile.open(archive) as bundle:
        if sys.version_info >= (3, 12):
            bundle.extractall(staging, filter="data")
        else:  # the archives come from the index; older Pythons have no filter
            bundle.extractall(staging)
    (top,) = list(staging.iterdir())
    top.rename(target)
    staging.rmdir()
    return target


def _archive(project: Project, downloads: Path) -> Optional[Path]:
    wanted = normalise(project.label)
    for path in downloads.iterdir():
        stem = path.name[: -len(".tar.gz")] if path.name.endswith(".tar.gz") else path.stem
        if normalise(stem) == wanted:
            return path
    return None


def scanned_files(folder: Path) -> List[str]:
    """The Python files a default run checks: everything but test code."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not matches_any(relative, DEFAULT_TEST_PATTERNS):
            found.append(relative)
    return found


def run_apisec(project: str, folder: Path) -> Tuple[List[Finding], int, float, List[str]]:
    started = time.perf_counter()
    completed = subprocess.run(
        [str(BIN / "apisec-lint"), "check", "--format", "json", "--no-cache", "--exit-zero", "."],
        cwd=folder, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{project}: apisec-lint exited {completed.returncode}: {completed.stderr}")
    report = json.loads(completed.stdout)
    findings = [
        Finding("apisec-lint", project, _clean(item["path"]), item["line"], item["column"],
                item["code"])
        for item in report["findings"]
    ]
    errors = [f"{_clean(item['path'])}: {item.get('message', '')}" for item in report["errors"]]
    return findings, int(report["files_scanned"]), elapsed, errors


def run_bandit(project: str, folder: Path, files: Sequence[str]) -> List[Finding]:
    if not files:
        return []
    completed = subprocess.run(
        [str(BIN / "bandit"), "-q", "-f", "json", *files], cwd=folder, capture_output=True,
        text=True,
    )
    report = json.loads(completed.stdout or "{}")
    return [
        Finding("bandit", project, _clean(item["filename"]), item["line_number"],
                item.get("col_offset", 0) + 1, item["test_id"])
        for item in report.get("results", [])
    ]


def run_ruff(project: str, folder: Path, files: Sequence[str]) -> List[Finding]:
    if not files:
        return []
    completed = subprocess.run(
        [str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--select", "S",
         "--output-format", "json", "--exit-zero", *files],
        cwd=folder, capture_output=True, text=True,
    )
    return [
        Finding("ruff", project, _clean(os.path.relpath(item["filename"], folder)),
                item["location"]["row"], item["location"]["column"], item["code"] or "")
        for item in json.loads(completed.stdout or "[]")
    ]


def _clean(path: str) -> str:
    return path[2:] if path.startswith("./") else path.replace(os.sep, "/")


Key = Tuple[str, str, int, str]


def load_verdicts(path: Path) -> Dict[Key, Tuple[str, str]]:
    """(project, path, line, code) -> (verdict, reason) from a reviewed TSV."""
    verdicts: Dict[Key, Tuple[str, str]] = {}
    if not path.is_file():
        return verdicts
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            key = (row["project"], row["path"], int(row["line"]), row["code"])
            verdicts[key] = (row["verdict"], row["why"])
    return verdicts


def verdict_of(finding: Finding, verdicts: Dict[Key, Tuple[str, str]]) -> Tuple[str, str]:
    return verdicts.get(
        (finding.project, finding.path, finding.line, finding.code), ("unreviewed", "")
    )


def write_unreviewed(findings: Iterable[Finding], verdicts: Dict[Key, Tuple[str, str]],
                     path: Path) -> int:
    """Append findings without a verdict so a reviewer can fill them in."""
    new = [f for f in findings if (f.project, f.path, f.line, f.code) not in verdicts]
    if not new:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.is_file()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        if fresh:
            writer.writerow(["project", "path", "line", "code", "verdict", "why"])
        for finding in new:
            writer.writerow([finding.project, finding.path, finding.line, finding.code,
                             "unreviewed", ""])
    return len(new)


def precision(true: int, false: int) -> str:
    return f"{100 * true / (true + false):.0f}%" if true + false else "n/a"


def report(projects: Sequence[Project], stats: Dict[str, Tuple[int, float, List[str]]],
           findings: Sequence[Finding], verdicts: Dict[Key, Tuple[str, str]]) -> str:
    lines = [
        "# apisec-lint on real projects: every finding",
        "",
        "Generated by `python scripts/precision_corpus.py`; verdicts are reviewed by hand in",
        "`docs/precision/verdicts.tsv`. Every default-on rule ran, test code skipped as in a",
        "default run. Positions are `path:line:column` inside the unpacked source distribution.",
        "",
        "## Projects",
        "",
        "| project | kind | files scanned | seconds | findings | unparsable |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    per_project = Counter(f.project for f in findings)
    for project in projects:
        files, seconds, errors = stats[project.label]
        lines.append(
            f"| {project.label} | {project.kind} | {files} | {seconds:.1f} | "
            f"{per_project[project.label]} | {len(errors)} |"
        )
    total_files = sum(s[0] for s in stats.values())
    total_seconds = sum(s[1] for s in stats.values())
    lines.append(f"| **total** | | {total_files} | {total_seconds:.1f} | {len(findings)} | |")
    by_rule: Dict[str, List[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.code].append(finding)
    lines += ["", "## Precision per rule", "", "| rule | findings | true | false | unreviewed | precision |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    all_true = all_false = all_open = 0
    for code in sorted(by_rule):
        counts = Counter(verdict_of(f, verdicts)[0] for f in by_rule[code])
        if code == "APS000":  # a parse report, not a security finding
            lines.append(f"| {code} (not counted) | {len(by_rule[code])} | | | | |")
            continue
        all_true += counts["true"]
        all_false += counts["false"]
        all_open += counts["unreviewed"]
        lines.append(
            f"| {code} | {len(by_rule[code])} | {counts['true']} | {counts['false']} | "
            f"{counts['unreviewed']} | {precision(counts['true'], counts['false'])} |"
        )
    lines.append(
        f"| **all security rules** | {all_true + all_false + all_open} | {all_true} | "
        f"{all_false} | {all_open} | "
        f"{precision(all_true, all_false)} |"
    )
    lines += ["", "## Every finding", ""]
    for code in sorted(by_rule):
        lines += [f"### {code}", "", "| project | position | verdict | why |", "| --- | --- | --- | --- |"]
        for finding in sorted(by_rule[code], key=lambda f: (f.project, f.path, f.line)):
            verdict, why = verdict_of(finding, verdicts)
            lines.append(
                f"| {finding.project} | `{finding.path}:{finding.line}:{finding.column}` | "
                f"{verdict} | {why} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def peer_table(ours: Sequence[Finding], peers: Sequence[Finding],
               verdicts: Dict[Key, Tuple[str, str]],
               peer_verdicts: Dict[Key, Tuple[str, str]]) -> str:
    """Markdown table: per shared row, each tool's true / false / unreviewed findings."""
    lines = [
        "| row | apisec-lint true | false | bandit true | false | ruff S true | false |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row, our_codes, bandit_codes, ruff_codes in PEER_ROWS:
        cells = [row]
        for tool, codes, table in (("apisec-lint", our_codes, verdicts),
                                   ("bandit", bandit_codes, peer_verdicts),
                                   ("ruff", ruff_codes, peer_verdicts)):
            pool = ours if tool == "apisec-lint" else peers
            counts = Counter(
                verdict_of(f, table)[0] for f in pool if f.tool == tool and f.code in codes
            )
            false = str(counts["false"])
            if counts["unreviewed"]:
                false += f" (+{counts['unreviewed']} unreviewed)"
            cells += [str(counts["true"]), false]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="project names to scan (default: all)")
    parser.add_argument("--peers", action="store_true", help="also run bandit and ruff --select S")
    parser.add_argument("--output", type=Path, default=DOCS / "findings.md")
    parser.add_argument("--record-unreviewed", action="store_true",
                        help="append findings without a verdict to the verdict files")
    options = parser.parse_args(argv)
    projects = [p for p in PROJECTS if not options.only or p.name in options.only]
    verdicts = load_verdicts(VERDICTS)
    stats: Dict[str, Tuple[int, float, List[str]]] = {}
    ours: List[Finding] = []
    peers: List[Finding] = []
    folders: List[Tuple[str, Path]] = []
    for project in projects:
        folder = fetch(project)
        folders.append((project.label, folder))
        found, files, seconds, errors = run_apisec(project.label, folder)
        stats[project.label] = (files, seconds, errors)
        ours += found
        print(f"{project.label}: {files} files, {len(found)} findings, {seconds:.1f}s",
              file=sys.stderr)
    if options.record_unreviewed:
        write_unreviewed(ours, verdicts, VERDICTS)
        verdicts = load_verdicts(VERDICTS)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(report(projects, stats, ours, verdicts), encoding="utf-8")
    if options.peers:
        folders.append(("fixtures", REPO / "fixtures"))
        fixture_findings, _, _, _ = run_apisec("fixtures", REPO / "fixtures")
        ours += fixture_findings
        shared = {code for row in PEER_ROWS for codes in row[2:] for code in codes}
        for label, folder in folders:
            files = scanned_files(folder)
            peers += [f for f in run_bandit(label, folder, files) if f.code in shared]
            peers += [f for f in run_ruff(label, folder, files) if f.code in shared]
        peer_verdicts = load_verdicts(PEER_VERDICTS)
        if options.record_unreviewed:
            write_unreviewed(peers, peer_verdicts, PEER_VERDICTS)
            write_unreviewed(fixture_findings, verdicts, VERDICTS)
            peer_verdicts = load_verdicts(PEER_VERDICTS)
            verdicts = load_verdicts(VERDICTS)
        tables = []
        for title, keep in (("Real projects", lambda f: f.project != "fixtures"),
                            ("fixtures/", lambda f: f.project == "fixtures")):
            tables.append(f"### {title}\n\n" + peer_table(
                [f for f in ours if keep(f)], [f for f in peers if keep(f)], verdicts,
                peer_verdicts))
        (DOCS / "peers.md").write_text("\n".join(tables), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
