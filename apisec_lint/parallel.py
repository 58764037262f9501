"""Check files on several worker processes, one file at a time per worker.

Each worker is its own process with a pipe to the parent, and is handed one file
at a time. That costs a message per file, and buys exact blame: when a worker
dies (a crash in native code, the out-of-memory killer) or a file takes longer
than the time limit, the parent knows which file it was, reports an error for
that file alone, and starts a fresh worker for the rest. Results are merged and
sorted by the caller, so the output does not depend on which worker finished
first.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterator, List, Optional, Sequence

from apisec_lint.findings import FileResult, ToolError

Checker = Callable[[object], FileResult]

#: A file that takes longer than this on one worker is reported and abandoned.
DEFAULT_FILE_TIMEOUT = 300.0
#: A worker is replaced by a fresh one after this many files. Python keeps the
#: memory a large tree once needed (its heap fragments), so a long-lived worker
#: would carry every earlier file's high-water mark into the next large one.
FILES_PER_WORKER = 200


def usable_cores() -> int:
    """Cores this process may run on (respects affinity masks and containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not available on macOS and Windows
        return max(1, os.cpu_count() or 1)


def _worker_main(connection: Connection, check: Checker) -> None:
    # Ctrl-C reaches the whole process group; the parent decides what happens
    # and stops the workers, which would otherwise each print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        index, task = message
        connection.send((index, check(task)))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    current: Optional[int] = None
    started: float = 0.0
    checked: int = 0


def check_in_parallel(
    tasks: Sequence[object],
    check: Checker,
    display: Callable[[object], str],
    jobs: int,
    file_timeout: float = DEFAULT_FILE_TIMEOUT,
) -> Iterator[FileResult]:
    """Yield one FileResult per task, in completion order, using ``jobs`` workers."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    pending: List[int] = list(range(len(tasks)))
    pending.reverse()
    workers: List[_Worker] = []

    def start() -> _Worker:
        parent_end, child_end = context.Pipe()
        process = context.Process(target=_worker_main, args=(child_end, check), daemon=True)
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def feed(worker: _Worker) -> None:
        if pending:
            index = pending.pop()
            worker.current = index
            worker.started = time.monotonic()
            worker.connection.send((index, tasks[index]))
        else:
            worker.current = None

    def retire(worker: _Worker) -> None:
        try:
            worker.connection.send(None)
        except (OSError, ValueError):
            pass
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()

    def failed(worker: _Worker, reason: str) -> FileResult:
        assert worker.current is not None
        path = display(tasks[worker.current])
        return FileResult(path, errors=[ToolError(path, reason)])

    try:
        for _ in range(min(jobs, len(tasks))):
            worker = start()
            workers.append(worker)
            feed(worker)
        while any(worker.current is not None for worker in workers):
            busy = {worker.connection: worker for worker in workers if worker.current is not None}
            ready = wait(list(busy), timeout=1.0)
            for connection in ready:
                worker = busy[connection]  # type: ignore[index]
                try:
                    _, result = worker.connection.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=5)
                    code = worker.process.exitcode
                    yield failed(worker, f"worker process died (exit code {code}) checking this file")
                    workers.remove(worker)
                    worker = start()
                    workers.append(worker)
                else:
                    yield result
                    worker.checked += 1
                    if worker.checked >= FILES_PER_WORKER and pending:
                        retire(worker)
                        workers.remove(worker)
                        worker = start()
                        workers.append(worker)
                feed(worker)
            now = time.monotonic()
            for worker in list(workers):
                if worker.current is not None and now - worker.started > file_timeout:
                    worker.process.kill()
                    worker.process.join(timeout=5)
                    yield failed(worker, f"checking took longer than {file_timeout:.0f} s and was stopped")
                    workers.remove(worker)
                    replacement = start()
                    workers.append(replacement)
                    feed(replacement)
    finally:
        for worker in workers:
            try:
                worker.connection.send(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
