"""The iterative staffing algorithm's time for one planned week, beside one plain replication.

    python -m bench.plan_isa [--replications 20] [--workers 2] [--json] [SCENARIO.toml]

Plans a 7-day week of ``scenarios/volume_2025.toml`` (by default) with ISA seeded from MOL, on
``--workers`` processes, and reports the wall time, the CPU time (this process and its
workers: on a shared machine the wall time depends on what else runs, the CPU time much less),
the load average before and after, the iterations with the half hours each changed (then the
trim's rounds, which the time includes), whether the staffing stopped changing, the
over-served half hours where one fewer still meets at the end, and the ratio of the ISA time
to the time of one replication of the same 8-day horizon (one warm-up day and the week)
measured in the same run. The goal (issue 11): under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time the planner's ISA on a scenario's horizon and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/volume_2025.toml")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from sim.core.model import simulate
    from sim.plan.demand import demand
    from sim.plan.isa import ISA_PHASES, isa, staffed_scenario
    from sim.plan.requirements import requirement_table
    from sim.plan.targets import plan_targets
    from sim.scenario import load_scenario
    from sim.scenario.values import DAY_S

    sc = load_scenario(REPO_ROOT / args.scenario)
    t = plan_targets(sc)
    d = demand(sc, 1800.0, DAY_S, 7)
    mol = requirement_table(d, t, "mol")
    start = time.perf_counter()
    one = staffed_scenario(sc, d, mol["call_takers"].to_numpy(), mol["officers"].to_numpy())
    simulate(one, 0).attempts  # noqa: B018 - the reference: one replication and its table
    reference_s = time.perf_counter() - start
    load_before = os.getloadavg()[0]
    cpu_before = time.process_time()
    start = time.perf_counter()
    result = isa(
        sc,
        d,
        t,
        mol["call_takers"].to_numpy(),
        mol["officers"].to_numpy(),
        replications=args.replications,
        workers=args.workers,
    )
    isa_s = time.perf_counter() - start
    cpu_self_s = time.process_time() - cpu_before
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool has exited: all counted
    cpu_workers_s = workers.ru_utime + workers.ru_stime
    it = result.iterations
    report = {
        "scenario": args.scenario,
        "replications": args.replications,
        "workers": args.workers,
        "isa_s": round(isa_s, 2),
        "cpu_s": round(cpu_self_s + cpu_workers_s, 2),
        "cpu_this_process_s": round(cpu_self_s, 2),
        "cpu_workers_s": round(cpu_workers_s, 2),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "one_replication_s": round(reference_s, 2),
        "ratio_to_one_replication": round(isa_s / reference_s, 1),
        "iterations": int(it["phase"].isin(ISA_PHASES).sum()),
        "alone_simulations": int(it.loc[it["phase"] == "alone", "simulations"].sum()),
        "trim_rounds": int((it["phase"] == "trim").sum()),
        "trim_rounds_kept": [bool(x) for x in it.loc[it["phase"] == "trim", "kept"]],
        "intervals_changed": [int(x) for x in it["intervals_changed"]],
        "replications_per_iteration": [int(x) for x in it["replications"]],
        "simulations_per_iteration": [int(x) for x in it["simulations"]],
        "converged": result.converged,
        "over_served_one_fewer_meets": None
        if result.fewer is None
        else int(result.fewer.fewer_meets.sum()),
        "goal_s": 120,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for k, v in report.items():
            print(f"{k:<26} {v}")


if __name__ == "__main__":
    main()
