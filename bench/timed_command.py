"""``helpline`` as a user runs it, also reporting how long its simulations took, for
:mod:`bench.year`.

    HELPLINE_BENCH_TIMES=times.json python -m bench.timed_command run SCENARIO.toml ...

The same command (:func:`sim.cli.main`), with :func:`sim.runner.simulate` timed on the
way: at exit the wall seconds of the simulations it ran are written, as JSON, to
the file ``HELPLINE_BENCH_TIMES`` names. The whole command over its own simulation is then
a ratio of two spans of one process, measured in the same seconds, which a machine whose
speed changes from one minute to the next cannot skew (the two separate fresh processes of
the ``sim`` and ``command`` contestants can).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import time
from pathlib import Path
from typing import Any

import sim.runner

ENV = "HELPLINE_BENCH_TIMES"
spent: dict[str, float] = {"sim_wall_s": 0.0}


def timed(simulate: Any) -> Any:
    """``simulate``, adding the wall seconds of each call to ``spent``."""

    @functools.wraps(simulate)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return simulate(*args, **kwargs)
        finally:
            spent["sim_wall_s"] += time.perf_counter() - start

    return wrapper


def report() -> None:
    """Write ``spent`` to the file ``HELPLINE_BENCH_TIMES`` names (if it names one)."""
    path = os.environ.get(ENV)
    if path:
        Path(path).write_text(json.dumps(spent), encoding="utf-8")


if __name__ == "__main__":
    sim.runner.simulate = timed(sim.runner.simulate)  # the name run_one() calls
    atexit.register(report)
    from sim.cli import main

    main()
