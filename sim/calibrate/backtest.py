"""Backtest: simulate each day of a log with that day's staffing, and compare with the log.

Each log date is simulated on its own (the centre starts the day empty): the scenario's call
types, queue and patience, that date's agents on duty per half hour (the estimator of
:mod:`sim.calibrate.staffing`, rounded), and arrivals one of three ways: ``trace`` (that day's
attempts at their own instants), ``bootstrap`` (a log day of the same weekday drawn per
replication) or ``fitted`` (the scenario's own arrivals). Replayed attempts already hold the
log's redials, so ``trace`` and ``bootstrap`` switch the model's redials off.

Compared per hour of day, per call type and overall: answered attempts, abandonment
(abandoned / answered + abandoned), ASA (mean wait of answered) and service level (answered
within 20 s / answered). The simulated 95% band is the 2.5 and 97.5 percentiles over
replications; coverage is the share of hours (each date's each hour with calls) whose observed
value falls in its band.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate import staffing
from sim.calibrate.calibration import SERVICE_LEVEL_S, type_names
from sim.calibrate.demand import mark_redials
from sim.calibrate.logs import CallLog
from sim.calibrate.writer import arrivals_raw, staff_raw
from sim.errors import ScenarioError, described
from sim.executors import Execution
from sim.runner import run_replications
from sim.scenario.load import build
from sim.scenario.values import Scenario

#: Compared metrics: name -> (unit, kind of error, description).
METRICS: dict[str, tuple[str, str, str]] = {
    "answered": ("attempts", "relative", "attempts answered by an agent"),
    "abandon_rate": ("share", "absolute", "abandoned / (answered + abandoned) attempts"),
    "asa_s": ("s", "relative", "mean wait of answered attempts"),
    "service_level": ("share", "absolute", f"answered within {SERVICE_LEVEL_S:g} s / answered"),
}
ARRIVALS = ("trace", "bootstrap", "fitted")


#: The summed columns behind the metrics (:func:`hourly`).
SUMS = ("answered", "abandoned", "wait_answered_s", "within_sl")


def hourly(frame: pd.DataFrame) -> pd.DataFrame:
    """Sums per group needed for the metrics: from columns ``outcome`` and ``wait_s``."""
    ans = frame["outcome"] == "answered"
    ab = frame["outcome"] == "abandoned"
    return pd.DataFrame(
        {
            "answered": ans.astype(int),
            "abandoned": ab.astype(int),
            "wait_answered_s": np.where(ans, frame["wait_s"], 0.0),
            "within_sl": (ans & (frame["wait_s"] <= SERVICE_LEVEL_S)).astype(int),
        },
        index=frame.index,
    )


def metrics_of(sums: pd.DataFrame) -> pd.DataFrame:
    """The four metrics from summed columns (one row per group)."""
    ans = sums["answered"]
    out = pd.DataFrame(index=sums.index)
    out["answered"] = ans.astype(float)
    out["abandon_rate"] = sums["abandoned"] / (ans + sums["abandoned"]).replace(0, np.nan)
    out["asa_s"] = sums["wait_answered_s"] / ans.replace(0, np.nan)
    out["service_level"] = sums["within_sl"] / ans.replace(0, np.nan)
    return out


@dataclass(frozen=True)
class Backtest:
    """Observed and simulated sums per date and hour, and the comparisons built from them."""

    arrivals: str
    replications: int
    observed: pd.DataFrame  # index (date, hour): sums
    simulated: pd.DataFrame  # index (replication, date, hour): sums
    observed_by_type: pd.DataFrame | None = None  # index call_type: sums
    simulated_by_type: pd.DataFrame | None = None  # index (replication, call_type): sums
    staffing_estimator: str = staffing.ESTIMATORS[0]  # how each date's staffing was estimated

    def overall(self) -> pd.DataFrame:
        """One row per metric: observed, simulated mean and 95% band, error."""
        obs = metrics_of(self.observed.sum().to_frame().T).iloc[0]
        sim = metrics_of(self.simulated.groupby(level="replication").sum())
        rows = []
        for m, (unit, kind, _) in METRICS.items():
            s = sim[m].dropna()
            mean = float(s.mean())
            err = mean - obs[m] if kind == "absolute" else mean / obs[m] - 1
            rows.append(
                {
                    "metric": m,
                    "unit": unit,
                    "observed": float(obs[m]),
                    "simulated": mean,
                    "band_lo": float(s.quantile(0.025)),
                    "band_hi": float(s.quantile(0.975)),
                    "error": float(err),
                    "error_kind": kind,
                    "coverage": self.coverage()[m],
                }
            )
        return pd.DataFrame(rows)

    def by_hour(self) -> pd.DataFrame:
        """Per hour of day, all dates pooled: observed, simulated mean and band, per metric."""
        obs = metrics_of(self.observed.groupby(level="hour").sum())
        sim = metrics_of(self.simulated.groupby(level=["replication", "hour"]).sum())
        g = sim.groupby(level="hour")
        rows = []
        for m in METRICS:
            part = pd.DataFrame(
                {
                    "metric": m,
                    "observed": obs[m],
                    "simulated": g[m].mean(),
                    "band_lo": g[m].quantile(0.025),
                    "band_hi": g[m].quantile(0.975),
                }
            )
            rows.append(part.reset_index())
        return pd.concat(rows, ignore_index=True)

    def by_type(self) -> pd.DataFrame:
        """Per scenario call type, all dates pooled: observed, simulated mean and band, error.

        Where the overall figures agree and the types do not, the model's one queue is
        answering the types in another order than the centre did (docs/calibration.md).
        """
        if self.observed_by_type is None or self.simulated_by_type is None:
            return pd.DataFrame(columns=["call_type", "metric", "observed", "simulated"])
        obs = metrics_of(self.observed_by_type)
        sim = metrics_of(self.simulated_by_type)
        g = sim.groupby(level="call_type")
        rows = []
        for m, (_, kind, _) in METRICS.items():
            mean = g[m].mean().reindex(obs.index)
            part = pd.DataFrame(
                {
                    "metric": m,
                    "attempts": self.observed_by_type["answered"]
                    + self.observed_by_type["abandoned"],
                    "observed": obs[m],
                    "simulated": mean,
                    "band_lo": g[m].quantile(0.025).reindex(obs.index),
                    "band_hi": g[m].quantile(0.975).reindex(obs.index),
                    "error": mean - obs[m] if kind == "absolute" else mean / obs[m] - 1,
                }
            )
            rows.append(part.rename_axis("call_type").reset_index())
        return pd.concat(rows, ignore_index=True)

    def cells(self) -> pd.DataFrame:
        """Per date and hour with calls in the log: observed, band, and whether it is inside."""
        obs = metrics_of(self.observed)
        sim = metrics_of(self.simulated)
        g = sim.groupby(level=["date", "hour"])
        lo, hi = g.quantile(0.025), g.quantile(0.975)
        rows = []
        for m in METRICS:
            o = obs[m]
            df = pd.DataFrame({"metric": m, "observed": o, "band_lo": lo[m], "band_hi": hi[m]})
            df = df.dropna(subset=["observed"])
            df["inside"] = (df["observed"] >= df["band_lo"] - 1e-9) & (
                df["observed"] <= df["band_hi"] + 1e-9
            )
            rows.append(df.reset_index())
        return pd.concat(rows, ignore_index=True)

    def coverage(self) -> dict[str, float]:
        """Share of the log's hours (date x hour with calls) whose observed value is in band."""
        c = self.cells()
        return {m: float(c.loc[c["metric"] == m, "inside"].mean()) for m in METRICS}


def log_sums(marked: pd.DataFrame) -> pd.DataFrame:
    """The log's sums per (date, hour)."""
    df = hourly(marked)
    df["date"] = marked["arrived"].dt.date
    df["hour"] = marked["arrived"].dt.hour
    return df.groupby(["date", "hour"]).sum()


def _day_raw(
    base: dict[str, Any],
    day: dt.date,
    arrivals: dict[str, Any] | None,
    staff_row: list[int],
    replications: int,
    seed: int,
) -> dict[str, Any]:
    raw = copy.deepcopy(base)
    raw["horizon"] = {
        "days": 1,
        "warmup_days": 0,
        "start_date": day,
        "replications": replications,
        "seed": seed,
        "end": "drain",
    }
    if arrivals is not None:
        raw["arrivals"] = arrivals
        for table in raw.get("call_types", {}).values():
            redial = table.setdefault("redial", {})
            redial["after_abandon"] = 0.0
            redial["after_busy"] = 0.0
    raw["staff"] = staff_raw([staff_row])
    if any(t.get("escalation_share", 0) for t in raw.get("call_types", {}).values()):
        # a log names no officers: one on duty all day, so escalated calls are possible
        raw["staff"]["interval"]["escalation"] = [1] * len(staff_row)
    return raw


def run_backtest(
    log: CallLog,
    scenario: Scenario,
    arrivals: str = "trace",
    replications: int = 20,
    workers: int | None = 1,
    staffing_estimator: str = staffing.ESTIMATORS[0],
) -> Backtest:
    """Simulate every date of ``log`` with its staffing and ``arrivals``; compare.

    Each date's staffing is estimated from the log again, for one pool: a scenario with skill
    groups (``staff.groups``) is refused, as the groups' own counts would be lost.
    """
    if scenario.staff.groups:
        raise ScenarioError(
            "staff.groups",
            "absent for a backtest (each date's staffing is estimated from the log again, "
            "for one pool; simulate the calibrated scenario with `helpline run` instead)",
            described(f"<{len(scenario.staff.groups)} groups>"),
        ).in_file(scenario.file or "scenario")
    marked = mark_redials(log.calls)
    marked["scenario_type"] = type_names(marked)
    dates = log.dates
    sess = staffing.estimate(log.calls, staffing_estimator)
    on_duty = staffing.whole(staffing.on_duty(sess, dates))
    names = {t.name for t in scenario.call_types}
    with_types = set(marked["scenario_type"]) <= names
    boot = (
        arrivals_raw(marked, "bootstrap", dates, with_types=with_types)
        if arrivals == "bootstrap"
        else None
    )
    frames, type_frames = [], []
    for i, day in enumerate(dates):
        arr: dict[str, Any] | None = boot
        if arrivals == "trace":
            arr = arrivals_raw(marked, "trace", [day], with_types=with_types)
        raw = _day_raw(
            scenario.raw, day, arr, on_duty[i].tolist(), replications, scenario.horizon.seed + i
        )
        sc = build(raw, file=scenario.file)
        how = Execution(workers=workers)
        res = run_replications(sc, replications, execution=how, tables=("attempts",))
        for rep, a in res.attempts.groupby("replication", sort=True):
            a = a[a["in_window"]]
            df = hourly(a.assign(outcome=a["outcome"].astype(str)))
            df["replication"] = rep
            df["date"] = day
            df["hour"] = (a["arrived_at_s"] // 3600).astype(int).clip(0, 23)
            frames.append(df.groupby(["replication", "date", "hour"]).sum())
            df["call_type"] = a["call_type"].astype(str)
            type_frames.append(df.groupby(["replication", "call_type"])[list(SUMS)].sum())
    simulated = pd.concat(frames)
    by_type = pd.concat(type_frames).groupby(level=["replication", "call_type"]).sum()
    obs_by_type = hourly(marked).groupby(marked["scenario_type"].rename("call_type")).sum()
    observed = log_sums(marked)
    # every (replication, date, hour) the log has, so an hour without simulated calls counts as 0
    idx = pd.MultiIndex.from_tuples(
        [(r, d, h) for r in range(replications) for d, h in observed.index],
        names=["replication", "date", "hour"],
    )
    simulated = simulated.reindex(simulated.index.union(idx), fill_value=0)
    return Backtest(
        arrivals, replications, observed, simulated, obs_by_type, by_type, staffing_estimator
    )


def render(bt: Backtest, log_name: str, scenario_name: str) -> str:
    """The printed comparison: one line per metric, overall, with band, error and coverage."""
    o = bt.overall()
    lines = [
        f"Backtest of {scenario_name} against {log_name}: {bt.arrivals} arrivals, "
        f"{bt.replications} replications of each of the log's days with its staffing "
        f"({bt.staffing_estimator} estimator)",
        "",
        f"{'metric':<15} {'observed':>10} {'simulated':>10} {'95% band':>19} {'error':>9} "
        f"{'coverage':>9}",
    ]
    for r in o.itertuples():
        share = r.unit == "share"

        def f(x: float, share: bool = share, unit: str = str(r.unit)) -> str:
            if math.isnan(x):
                return "n/a"
            return f"{x:.1%}" if share else (f"{x:,.0f}" if unit == "attempts" else f"{x:.1f}")

        err = f"{r.error * 100:+.1f} pt" if r.error_kind == "absolute" else f"{r.error:+.1%}"
        band = f"{f(r.band_lo)} to {f(r.band_hi)}"
        lines.append(
            f"{r.metric:<15} {f(r.observed):>10} {f(r.simulated):>10} {band:>19} {err:>9} "
            f"{r.coverage:>9.0%}"
        )
    t = bt.by_type()
    if not t.empty and t["call_type"].nunique() > 1:
        ab = t[t["metric"] == "abandon_rate"].set_index("call_type")
        asa = t[t["metric"] == "asa_s"].set_index("call_type")
        lines += [
            "",
            "By call type (all dates; simulated mean):",
            f"{'call type':<15} {'attempts':>10} {'abandoned':>10} {'simulated':>10} "
            f"{'ASA s':>8} {'simulated':>10}",
        ]
        for name in ab.sort_values("attempts", ascending=False).index:
            lines.append(
                f"{name:<15} {ab.at[name, 'attempts']:>10,.0f} {ab.at[name, 'observed']:>10.1%} "
                f"{ab.at[name, 'simulated']:>10.1%} {asa.at[name, 'observed']:>8.1f} "
                f"{asa.at[name, 'simulated']:>10.1f}"
            )
    lines += [
        "",
        "error: simulated - observed (points) for shares, simulated / observed - 1 for counts and "
        "times; coverage: share of the log's hours (date x hour with calls) whose observed value "
        "falls in the simulated 95% band",
    ]
    return "\n".join(lines) + "\n"
