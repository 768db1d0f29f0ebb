"""helpline-sim: a discrete-event simulator of a 1930-style cyber-fraud helpline.

The pipeline is scenario -> model -> records -> metrics. The model core
(:mod:`sim.core.model`) knows nothing of files, the command line or plots::

    import sim

    scenario = sim.load_scenario("scenarios/baseline_2023.toml")
    short = sim.variant(scenario, {"horizon.days": 7})  # a validated copy with keys changed
    records = sim.simulate(short, replication=0)        # tidy tables: records.attempts, ...
    sim.summarize(records)["golden_hour_share"]         # one replication's metrics
    results = sim.run_replications(short, 5)            # in processes; same numbers as serial
    results.summary                                     # means with 95% CIs
    results.attempts                                    # every replication's attempts, stacked
    sim.run_replications(short, 5, execution=sim.Execution("serial"))  # or "dask"
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.core.model import simulate
    from sim.executors import Execution
    from sim.metrics import summarize
    from sim.runner import Results, run_replications
    from sim.scenario import Scenario, load_scenario, variant

__version__ = "0.1.0"

#: The public API, imported on first use (PEP 562): ``import sim.scenario`` alone, as the
#: command line does to check a scenario file, then costs no numpy, pandas or scipy import.
_API = {
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "variant": "sim.scenario",
    "simulate": "sim.core.model",
    "summarize": "sim.metrics",
    "Execution": "sim.executors",
    "Results": "sim.runner",
    "run_replications": "sim.runner",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Execution",
    "Results",
    "Scenario",
    "__version__",
    "load_scenario",
    "run_replications",
    "simulate",
    "summarize",
    "variant",
]
