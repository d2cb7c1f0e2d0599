"""Map a function over many items in worker processes: results in input order, few items in flight."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT_PER_JOB = 4
ORPHAN_CHECK_SECONDS = 1.0

_context = None  # set once in each worker process by _start


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(fn: Callable[[C, T], R], context: C, items: Iterable[T], *, jobs: int) -> Iterator[R]:
    """fn(context, item) for every item, in the items' order.

    With jobs > 1 and more than one item, the calls run in a pool of `jobs` processes that each receive
    `context` once (it must pickle); at most IN_FLIGHT_PER_JOB * jobs items are read ahead, so memory stays
    flat however many items there are. Closing the iterator early cancels what is still queued.
    """
    items = iter(items)
    head = list(itertools.islice(items, 2))
    if jobs <= 1 or len(head) < 2:
        for item in itertools.chain(head, items):
            yield fn(context, item)
        return
    pool = ProcessPoolExecutor(jobs, mp_context=_mp_context(), initializer=_start, initargs=(context, os.getpid()))
    pending: deque = deque()
    try:
        for item in itertools.chain(head, items):
            pending.append(pool.submit(_call, fn, item))
            if len(pending) >= IN_FLIGHT_PER_JOB * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _mp_context():
    # fork is unsafe once threads run (a progress bar refreshes from one): use a fork server where there is one.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else None)


def _start(context, main: int) -> None:
    global _context
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    signal.signal(signal.SIGTERM, _terminate)  # killed with its group: finish cleanly, discarding temp files
    _context = context
    threading.Thread(target=_orphan_watch, args=(main,), daemon=True, name="orphan-watch").start()


def _orphan_watch(main: int) -> None:
    """End this worker once the main process is gone (killed with SIGKILL, say).

    A worker holds both ends of its task pipe, so it never sees the main process go and would wait for a task
    forever; a worker is a child of the fork server, so it gets no signal either. A task cut short this way
    may leave its temporary file (named .NAME.*.stripper-tmp) beside its target, whose original is whole.
    """
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        try:
            os.kill(main, 0)
        except (ProcessLookupError, PermissionError):  # gone, or its pid reused by another user's process
            os._exit(1)


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _call(fn, item):
    return fn(_context, item)
