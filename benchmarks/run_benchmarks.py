"""Time apisec-lint against the libcst parse floor and its peers on a pinned corpus.

    python benchmarks/run_benchmarks.py [--runs 5] [--write BENCHMARKS.md]

The corpus is the source distributions below, downloaded once from the package
index into ``benchmarks/.corpus`` (not under version control). Every command
runs on the same files; each is timed ``--runs`` times in a fresh process and
the median is reported, with the peak resident memory of the largest process
it started. The table goes to standard output and, with ``--write``, into the
given Markdown file with the machine, the versions and this command.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".corpus"
PINNED = {
    "django": "5.1.4",
    "flask": "3.1.0",
    "requests": "2.32.3",
    "fastapi": "0.115.6",
    "starlette": "0.41.3",
    "sqlalchemy": "2.0.36",
}
BIN = Path(sys.executable).parent


@dataclass
class Measurement:
    label: str
    seconds: float
    peak_mb: float
    note: str = ""


def build_corpus() -> List[Path]:
    """Download and unpack each pinned sdist once; return the unpacked folders."""
    downloads = CORPUS / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    folders = []
    for name, version in PINNED.items():
        target = CORPUS / f"{name}-{version}"
        if not target.is_dir():
            archive = _download(name, version, downloads)
            with tarfile.open(archive) as bundle:
                top = bundle.getnames()[0].split("/")[0]
                bundle.extractall(CORPUS, filter="data")
            (CORPUS / top).rename(target)
        folders.append(target)
    return folders


def _download(name: str, version: str, downloads: Path) -> Path:
    existing = [p for p in downloads.iterdir() if p.name.lower().startswith(f"{name}-{version}".lower())]
    if not existing:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             f"{name}=={version}", "-d", str(downloads)],
            check=True,
        )
        existing = [p for p in downloads.iterdir() if p.name.lower().startswith(f"{name}-{version}".lower())]
    return existing[0]


def python_files(folders: Sequence[Path]) -> List[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*.py"))


_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
completed = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, peak_kb, completed.returncode)
if completed.returncode not in (0, 1):
    sys.stderr.write(completed.stderr.decode(errors="replace")[-2000:])
"""


def measure(label: str, command: Sequence[str], runs: int, cwd: Path, prepare: Optional[Sequence[str]] = None) -> Measurement:
    """Median wall time and the largest peak memory over ``runs`` fresh runs."""
    times, peaks = [], []
    for _ in range(runs):
        if prepare:
            subprocess.run(prepare, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command], cwd=cwd, capture_output=True, text=True
        )
        elapsed, peak_kb, code = out.stdout.split()
        if int(code) not in (0, 1):
            raise SystemExit(f"{label} failed with status {code}: {out.stderr}")
        times.append(float(elapsed))
        peaks.append(int(peak_kb) / 1024)
    return Measurement(label, statistics.median(times), max(peaks))


_FLOOR = """
import sys, libcst
for name in open(sys.argv[1]).read().splitlines():
    try:
        libcst.parse_module(open(name, "rb").read())
    except Exception:
        pass
"""


def run_all(runs: int, jobs: int) -> Dict[str, object]:
    folders = build_corpus()
    files = python_files(folders)
    listing = CORPUS / "files.txt"
    listing.write_text("\n".join(str(path) for path in files))
    relative = [str(folder.relative_to(CORPUS)) for folder in folders]
    lint = [str(BIN / "apisec-lint"), "check", "--format", "json", "--exit-zero", *relative]
    cache_dir = CORPUS / ".apisec_cache"
    results = [
        measure("libcst parse (floor)", [sys.executable, "-c", _FLOOR, str(listing)], runs, CORPUS),
        measure("apisec-lint cold, 1 process", [*lint, "--jobs", "1", "--no-cache"], runs, CORPUS),
        measure(f"apisec-lint cold, {jobs} workers", [*lint, "--jobs", str(jobs), "--no-cache"], runs, CORPUS),
    ]
    subprocess.run([*lint, "--cache-dir", str(cache_dir)], cwd=CORPUS, stdout=subprocess.DEVNULL)
    results.append(measure("apisec-lint warm (cache on)", [*lint, "--cache-dir", str(cache_dir)], runs, CORPUS))
    results.append(
        measure(f"flake8 --select APS -j {jobs}",
                [str(BIN / "flake8"), "--isolated", "--select", "APS", "-j", str(jobs), "--exit-zero", *relative],
                runs, CORPUS)
    )
    if shutil.which("bandit", path=str(BIN)):
        results.append(measure("bandit -r", [str(BIN / "bandit"), "-q", "-r", "--exit-zero", *relative, "-f", "json"], runs, CORPUS))
    if shutil.which("ruff", path=str(BIN)):
        ruff = [str(BIN / "ruff"), "check", "--select", "S", "--exit-zero", "--no-cache", "--isolated", *relative]
        results.append(measure("ruff check --select S (no cache)", ruff, runs, CORPUS))
    shutil.rmtree(cache_dir, ignore_errors=True)
    return {"files": len(files), "results": results}


def table(report: Dict[str, object]) -> str:
    results: List[Measurement] = report["results"]  # type: ignore[assignment]
    files: int = report["files"]  # type: ignore[assignment]
    by_label = {m.label: m for m in results}
    floor = results[0].seconds
    peers = {label: m.seconds for label, m in by_label.items() if label.startswith(("bandit", "ruff"))}
    header = "| command | seconds | files/s | peak MB | x floor | " + " | ".join(f"x {p.split()[0]}" for p in peers) + " |"
    lines = [header, "|" + "---|" * (5 + len(peers))]
    for m in results:
        ratios = " | ".join(f"{m.seconds / seconds:.2f}" for seconds in peers.values())
        lines.append(
            f"| {m.label} | {m.seconds:.2f} | {files / m.seconds:.0f} | {m.peak_mb:.0f} | "
            f"{m.seconds / floor:.2f} | {ratios} |"
        )
    return "\n".join(lines) + "\n"


def versions() -> str:
    def version_of(command: List[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "not installed"

    import libcst

    return "\n".join(
        [
            f"- Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} cores",
            f"- {version_of([str(BIN / 'apisec-lint'), '--version'])}",
            f"- libcst {getattr(libcst, '__version__', 'unknown')}",
            f"- flake8 {version_of([str(BIN / 'flake8'), '--version'])}",
            f"- {version_of([str(BIN / 'bandit'), '--version'])}",
            f"- {version_of([str(BIN / 'ruff'), '--version'])}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--write", type=Path, help="Markdown file to write the report into")
    arguments = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report = run_all(arguments.runs, arguments.jobs)
    text = table(report)
    print(text)
    if arguments.write:
        corpus = ", ".join(f"{name} {version}" for name, version in PINNED.items())
        arguments.write.write_text(
            "# Benchmarks\n\n"
            f"Measured {started} by `python benchmarks/run_benchmarks.py --runs {arguments.runs} "
            f"--write {arguments.write}` on {report['files']} Python files of: {corpus}.\n"
            f"Median of {arguments.runs} runs each; peak MB is the largest resident set of any process.\n\n"
            + text + "\n## Machine and versions\n\n" + versions() + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
