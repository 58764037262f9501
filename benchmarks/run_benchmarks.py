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
from typing import Dict, List, Optional, Sequence, Tuple

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
PACKAGE = HERE.parent / "apisec_lint"
#: Hand-written profile notes, copied under the measured tables.
NOTES = HERE / "profile-notes.md"
#: An installed package has its bytecode compiled by pip; an editable install run
#: with PYTHONDONTWRITEBYTECODE would recompile every module on each start.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


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
            subprocess.run(prepare, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=ENVIRONMENT)
        out = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command], cwd=cwd, capture_output=True, text=True,
            env=ENVIRONMENT,
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
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PACKAGE)], check=True, env=ENVIRONMENT)
    relative = [str(folder.relative_to(CORPUS)) for folder in folders]
    lint = [str(BIN / "apisec-lint"), "check", "--format", "json", "--exit-zero", *relative]
    cache_dir = CORPUS / ".apisec_cache"
    flake8 = [str(BIN / "flake8"), "--isolated", "-j", str(jobs), "--exit-zero"]
    results = [
        measure("libcst parse (floor)", [sys.executable, "-c", _FLOOR, str(listing)], runs, CORPUS),
        measure("apisec-lint cold, 1 process", [*lint, "--jobs", "1", "--no-cache"], runs, CORPUS),
        measure(f"apisec-lint cold, {jobs} workers", [*lint, "--jobs", str(jobs), "--no-cache"], runs, CORPUS),
    ]
    subprocess.run([*lint, "--cache-dir", str(cache_dir)], cwd=CORPUS, stdout=subprocess.DEVNULL, env=ENVIRONMENT)
    results.append(measure("apisec-lint warm (cache on)", [*lint, "--cache-dir", str(cache_dir)], runs, CORPUS))
    results.append(measure(f"flake8 --select APS -j {jobs}", [*flake8, "--select", "APS", *relative], runs, CORPUS))
    results.append(
        measure(f"flake8 --select E,F,W,C90 -j {jobs} (without APS)",
                [*flake8, "--select", "E,F,W,C90", *relative], runs, CORPUS)
    )
    if shutil.which("bandit", path=str(BIN)):
        results.append(measure("bandit -r", [str(BIN / "bandit"), "-q", "-r", "--exit-zero", *relative, "-f", "json"], runs, CORPUS))
    if shutil.which("ruff", path=str(BIN)):
        ruff = [str(BIN / "ruff"), "check", "--select", "S", "--exit-zero", "--no-cache", "--isolated", *relative]
        results.append(measure("ruff check --select S (no cache)", ruff, runs, CORPUS))
    shutil.rmtree(cache_dir, ignore_errors=True)
    return {
        "files": len(files),
        "results": results,
        "scaling": measure_scaling(files, jobs),
        "single": measure_single_file(files, runs),
    }


def measure_scaling(files: Sequence[Path], jobs: int) -> List[Measurement]:
    """Peak memory of a 100-file and a 10,000-file run that share their largest file."""
    largest = max(files, key=lambda path: path.stat().st_size)
    others = [path for path in files if path != largest]
    results = []
    for count in (100, 10_000):
        folder = CORPUS / "scaling" / f"{count}-files"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copyfile(largest, folder / "largest.py")
        for number in range(count - 1):
            shutil.copyfile(others[number % len(others)], folder / f"module_{number:05d}.py")
        command = [str(BIN / "apisec-lint"), "check", "--format", "json", "--exit-zero",
                   "--no-cache", "--jobs", str(jobs), folder.name]
        results.append(measure(f"apisec-lint cold, {count} files", command, 1, folder.parent))
        shutil.rmtree(folder, ignore_errors=True)
    return results


def measure_single_file(files: Sequence[Path], runs: int) -> Tuple[Path, int, List[Measurement]]:
    """Start-to-finish time on the corpus file whose length is closest to 1,000 lines."""
    def lines_of(path: Path) -> int:
        return path.read_bytes().count(b"\n")

    # Test code is skipped by default, so the file must be application code that
    # imports a web framework, or most rules would not run on it at all.
    def is_candidate(path: Path) -> bool:
        parts = path.relative_to(CORPUS).parts
        if any(part in ("tests", "test", "testing", "docs_src") for part in parts) or parts[-1].startswith("test"):
            return False
        return any(name in path.read_bytes() for name in (b"import flask", b"from flask", b"from django", b"from starlette", b"from fastapi"))

    chosen = min(filter(is_candidate, files), key=lambda path: abs(lines_of(path) - 1000))
    name = str(chosen.relative_to(CORPUS))
    results = [
        measure("apisec-lint check, one file", [str(BIN / "apisec-lint"), "check", "--no-cache",
                "--exit-zero", name], runs, CORPUS),
        measure("flake8 --select APS, one file", [str(BIN / "flake8"), "--isolated", "--select",
                "APS", "--exit-zero", name], runs, CORPUS),
    ]
    return chosen, lines_of(chosen), results


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


def targets(report: Dict[str, object]) -> str:
    """Each target of the speed work, the ratio measured, and whether it is met."""
    results: List[Measurement] = report["results"]  # type: ignore[assignment]
    seconds = {m.label: m.seconds for m in results}

    def find(prefix: str) -> float:
        return next(value for label, value in seconds.items() if label.startswith(prefix))

    floor = find("libcst parse")
    cold_one = find("apisec-lint cold, 1 process")
    cold_all = next(v for label, v in seconds.items() if label.startswith("apisec-lint cold,") and "workers" in label)
    warm = find("apisec-lint warm")
    with_plugin = find("flake8 --select APS")
    without_plugin = find("flake8 --select E,F,W,C90")
    rows = [
        ("cold, one process, at most 2x the libcst parse", f"{cold_one / floor:.2f}x", cold_one <= 2 * floor),
    ]
    if any(label.startswith("bandit") for label in seconds):
        bandit = find("bandit")
        rows.append(("cold, every core, faster than bandit", f"{cold_all:.1f} s vs {bandit:.1f} s", cold_all < bandit))
    if any(label.startswith("ruff") for label in seconds):
        ruff = find("ruff")
        rows.append(("warm, no slower than ruff without its cache", f"{warm:.2f} s vs {ruff:.2f} s", warm <= ruff))
    rows.append(("warm, at least 20x faster than cold on every core", f"{cold_all / warm:.0f}x", cold_all >= 20 * warm))
    small, large = report["scaling"]  # type: ignore[misc]
    lint_peaks = [m.peak_mb for m in [*results, small, large] if m.label.startswith("apisec-lint")]
    rows.append(("peak memory of any process under 250 MB", f"{max(lint_peaks):.0f} MB", max(lint_peaks) < 250))
    growth = large.peak_mb / small.peak_mb - 1
    rows.append((
        "10,000-file run's peak memory within 20% of a 100-file run's",
        f"{small.peak_mb:.0f} MB -> {large.peak_mb:.0f} MB ({growth:+.0%})", growth <= 0.20,
    ))
    added = with_plugin - without_plugin
    rows.append((
        "the flake8 plugin adds at most the libcst parse to a flake8 run",
        f"+{added:.1f} s on {without_plugin:.1f} s (parse {floor:.1f} s)", added <= floor,
    ))
    chosen, lines, single = report["single"]  # type: ignore[misc]
    for m in single:
        rows.append((f"{m.label} ({lines} lines) in under a second", f"{m.seconds:.2f} s", m.seconds < 1.0))
    text = "| target | measured | met |\n|---|---|---|\n"
    text += "".join(f"| {name} | {value} | {'yes' if met else '**no**'} |\n" for name, value, met in rows)
    scaling = "".join(
        f"- {m.label}: {m.seconds:.1f} s, peak {m.peak_mb:.0f} MB\n" for m in (small, large)
    )
    return (
        text
        + f"\nThe one-file rows check `{chosen.relative_to(CORPUS)}`. The scaling rows copy"
        " corpus files into one folder beside the largest file, one run each:\n\n" + scaling
    )


def versions() -> str:
    def version_of(command: List[str]) -> str:
        try:
            return " ".join(subprocess.run(command, capture_output=True, text=True).stdout.split()) or "unknown"
        except OSError:
            return "not installed"

    from importlib.metadata import version

    return "\n".join(
        [
            f"- Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} cores",
            f"- {version_of([str(BIN / 'apisec-lint'), '--version'])}",
            f"- libcst {version('libcst')}",
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
    text = table(report) + "\n## Targets\n\n" + targets(report)
    print(text)
    if arguments.write:
        corpus = ", ".join(f"{name} {version}" for name, version in PINNED.items())
        arguments.write.write_text(
            "# Benchmarks\n\n"
            f"Measured {started} by `python benchmarks/run_benchmarks.py --runs {arguments.runs} "
            f"--write {arguments.write}` on {report['files']} Python files of: {corpus}.\n"
            f"Median of {arguments.runs} runs each; peak MB is the largest resident set of any process.\n\n"
            + text + "\n## Machine and versions\n\n" + versions() + "\n"
            + ("\n" + NOTES.read_text(encoding="utf-8") if NOTES.exists() else ""),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
