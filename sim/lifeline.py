"""Worker processes that end when the process that started them dies.

A killed ``helpline sweep`` or ``helpline run`` must not leave its pool's
workers running: they would keep computing for nobody, and hold whatever they
inherited. :func:`exit_with_parent` is a pool initializer
(``ProcessPoolExecutor(initializer=exit_with_parent, initargs=(os.getpid(),))``):
on Linux the kernel sends the worker SIGKILL when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); everywhere a daemon thread also checks the
parent's process id twice a second and exits the worker once it has changed.
"""

from __future__ import annotations

import os
import signal
import threading
import time

#: Seconds between two looks at the parent's process id.
POLL_S = 0.5
_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int) -> None:
    """Make this (worker) process exit as soon as ``parent_pid`` is no longer its parent."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the thread below does it
        pass
    if os.getppid() != parent_pid:  # the parent died before the line above ran
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
