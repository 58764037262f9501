"""Run work on a thread with a large stack, for trees that are deep but legal.

libcst's native parser recurses on the C stack and its code generator (used for
positions) recurses in Python. Files CPython accepts can still be deep enough to
overflow the default 8 MiB main-thread stack or the default recursion limit, so
each file is checked on a thread whose stack is reserved large (only the pages
actually touched use memory) with a correspondingly higher recursion limit.
"""

from __future__ import annotations

import sys
import threading
from typing import Callable, List, TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 60_000

_limit_lock = threading.Lock()


def run_with_deep_stack(work: Callable[[], T]) -> T:
    """Return ``work()``, computed on a fresh large-stack thread; re-raise its error."""
    outcome: List[T] = []
    failure: List[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed back to the caller unchanged
            failure.append(error)

    with _limit_lock:
        previous_stack = threading.stack_size(STACK_BYTES)
        previous_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        try:
            thread = threading.Thread(target=target, name="apisec-lint-file")
            thread.start()
        finally:
            threading.stack_size(previous_stack)
        thread.join()
        sys.setrecursionlimit(previous_limit)
    if failure:
        raise failure[0]
    return outcome[0]
