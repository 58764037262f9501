"""Run work on a thread with a large stack, for trees that are deep but legal.

libcst's native parser recurses on the C stack and its code generator (used for
positions) recurses in Python. Files CPython accepts can still be deep enough to
overflow the default 8 MiB main-thread stack or the default recursion limit, so
files are checked on one long-lived thread per process whose stack is reserved
large (only the pages actually touched use memory), with a correspondingly
higher recursion limit. Starting a thread per file would cost more than many
small files take to check.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from typing import Any, Callable, Optional, Tuple, TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 60_000

_Job = Tuple[Callable[[], Any], "queue.Queue[Tuple[bool, Any]]"]

_lock = threading.Lock()
_jobs: "Optional[queue.Queue[_Job]]" = None
_owner_pid: Optional[int] = None


def _serve(jobs: "queue.Queue[_Job]") -> None:
    while True:
        work, reply = jobs.get()
        # The limit is interpreter-wide; the caller is blocked meanwhile, and
        # restoring it keeps other code in the process (flake8's other
        # plugins) on the limit its own stack was sized for.
        previous_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        try:
            reply.put((True, work()))
        except BaseException as error:  # handed back to the caller unchanged
            reply.put((False, error))
        finally:
            sys.setrecursionlimit(previous_limit)


def _job_queue() -> "queue.Queue[_Job]":
    """The queue of this process's deep-stack thread, started on first use.

    A forked worker process inherits the queue but not the thread, so the
    thread is started again whenever the process id changes.
    """
    global _jobs, _owner_pid
    with _lock:
        if _jobs is None or _owner_pid != os.getpid():
            jobs: "queue.Queue[_Job]" = queue.Queue()
            previous_stack = threading.stack_size(STACK_BYTES)
            try:
                thread = threading.Thread(
                    target=_serve, args=(jobs,), name="apisec-lint-deep-stack", daemon=True
                )
                thread.start()
            finally:
                threading.stack_size(previous_stack)
            _jobs, _owner_pid = jobs, os.getpid()
        return _jobs


def run_with_deep_stack(work: Callable[[], T]) -> T:
    """Return ``work()``, computed on the large-stack thread; re-raise its error."""
    if threading.current_thread().name == "apisec-lint-deep-stack":
        return work()
    reply: "queue.Queue[Tuple[bool, Any]]" = queue.Queue(maxsize=1)
    _job_queue().put((work, reply))
    succeeded, value = reply.get()
    if not succeeded:
        raise value
    result: T = value
    return result

