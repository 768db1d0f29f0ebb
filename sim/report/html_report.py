"""HTML reports of output folders: a run, a compare or a sweep, for planners and officers.

Everything is read from the folder's files (``summary.json``, the Parquet tables,
``compare.json``, ``sweep.json``), never from the runner, so any folder the commands wrote
can be reported later. One self-contained page: inline SVG, no script, printable, readable
at phone width. The command line passes the printout's sections and number formats so the
page shows the figures exactly as ``helpline run`` prints them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ScenarioError, described, one_line
from sim.report import svg
from sim.report.assumptions import assumptions
from sim.report.html import render
from sim.report.parquet import restored
from sim.scenario import load_scenario
from sim.scenario.values import DAY_S, Scenario

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: Heat-map colours: service level at or above this share is green (amber within 10 points).
SL_TARGET_DEFAULT = 0.80


@dataclass(frozen=True)
class Formats:
    """How the printout writes numbers: ``value(x, unit)`` and ``diff(x, unit)``."""

    value: Callable[[float, str], str]
    diff: Callable[[float, str], str]


def _damaged(path: Path, what: str, exc: Exception) -> ScenarioError:
    """The error for a file of the folder that cannot be read: named, with what it must be."""
    why = one_line(str(exc))[:160]
    return ScenarioError(
        "file", f"{what} (rerun the command to write it again)",
        described(f"<a damaged file: {why}>"), str(path),
    )  # fmt: skip


@contextmanager
def _reading(path: Path, what: str) -> Iterator[None]:
    """Reading one file of the folder: a file that does not parse (Arrow's errors; JSON's and
    UTF-8's are ValueErrors) is the user's error, named. A missing file stays an OSError.
    """
    try:
        yield
    except (pa.ArrowException, ValueError) as exc:
        raise _damaged(path, what, exc) from None


def _table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A Parquet table of the folder (``columns`` only, if given); a damaged one is named."""
    with _reading(path, "a Parquet table as helpline writes it"):
        return pd.read_parquet(path, columns=columns)


def _columns(path: Path) -> set[str]:
    """The column names of a Parquet table of the folder; a damaged one is named."""
    with _reading(path, "a Parquet table as helpline writes it"):
        return set(pq.read_schema(path).names)


def _json(path: Path) -> dict[str, Any]:
    """A JSON document of the folder (an object); a damaged one is named."""
    with _reading(path, "a JSON document as helpline writes it"):
        doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise _damaged(path, "a JSON object as helpline writes it", TypeError(type(doc).__name__))
    return doc


def kind_of(folder: Path) -> str:
    """Which command wrote the folder ("run", "compare" or "sweep"), from its files."""
    if (folder / "sweep.json").is_file():
        return "sweep"
    if (folder / "compare.json").is_file():
        return "compare"
    if (folder / "summary.json").is_file():
        return "run"
    raise ScenarioError(
        "RUN_DIR",
        "a folder written by helpline run, compare --out or sweep --out (summary.json, "
        "compare.json or sweep.json in it)",
        str(folder),
        None,
        "RUN_DIR",
    )


def _scenario(folder: Path, scenario_file: str | None) -> Scenario | None:
    """The scenario the folder was made from: its resolved copy if written, else the file."""
    for candidate in (folder / "scenario.resolved.toml", scenario_file):
        if candidate and Path(candidate).is_file():
            try:
                return load_scenario(candidate)
            except (ScenarioError, OSError, ValueError):
                continue
    return None


def _assumptions(scenario_file: str | None, sc: Scenario | None) -> list:
    """The assumptions as the scenario file states them (its comments carry the S, D, A labels);
    from the folder's resolved copy, which has no comments, only when the file is gone.
    """
    for candidate in (scenario_file, sc.file if sc else None):
        if candidate and Path(candidate).is_file():
            return assumptions(candidate)
    return []


def _ci(row: dict, unit: str, f: Formats, reps: int) -> str:
    lo, hi = row.get("ci95", [None, None])
    if reps < 2 or lo is None or hi is None:
        return ""
    return f"{f.value(lo, unit)} to {f.value(hi, unit)}"


def _headline(doc: dict, sections: dict[str, list[str]], f: Formats, descr: dict) -> list[dict]:
    reps = int(doc.get("replications", 1))
    out = []
    for title, names in sections.items():
        rows = []
        for m in names:
            r = doc["metrics"].get(m)
            if r is None:
                continue
            unit = r["unit"]
            mean = math.nan if r["mean"] is None else r["mean"]
            rows.append(
                {
                    "metric": m,
                    "value": f.value(mean, unit),
                    # as the printout: no unit after a share, nor after "n/a"
                    "unit": "" if unit == "share" or math.isnan(mean) else unit,
                    "ci": _ci(r, unit, f, reps),
                    "what": descr.get(m, ""),
                }
            )
        out.append({"title": title, "rows": rows})
    return out


def _day_label(sc: Scenario | None, day: int) -> str:
    if sc is None:
        return f"day {day}"
    d = sc.horizon.start_date + dt.timedelta(days=day)
    return f"{WEEKDAYS[d.weekday()]} {d.isoformat()}"


def _timelines(iv: pd.DataFrame, sc: Scenario | None) -> list[dict]:
    """The worst day (most busy tones and abandons) and a typical day (median offered)."""
    iv = iv[iv["in_window"]].copy()
    if iv.empty:
        return []
    iv["day"] = (iv["interval_start_s"] // DAY_S).astype(int)
    days = iv.groupby(["replication", "day"]).agg(
        failed=("blocked", "sum"), abandoned=("abandoned", "sum"), offered=("offered", "sum")
    )
    days["bad"] = days["failed"] + days["abandoned"]
    worst = days["bad"].idxmax()
    typical = (days["offered"] - days["offered"].median()).abs().idxmin()
    out = []
    for what, (rep, day) in (("Worst day", worst), ("Typical day", typical)):
        d = iv[(iv["replication"] == rep) & (iv["day"] == day)].sort_values("interval_start_s")
        x_h = (d["interval_start_s"].to_numpy() % DAY_S) / 3600 + 0.125
        title = f"{what}: {_day_label(sc, int(day))}, replication {rep}"
        chart = svg.day_timeline(
            x_h,
            [
                ("lines busy (mean)", d["lines_busy_mean"].to_numpy(), "line"),
                ("callers waiting (mean)", d["queue_mean"].to_numpy(), "area"),
                ("call-takers logged in", d["call_takers_on_duty_mean"].to_numpy(), "line"),
            ],
            ("busy tones per 15 min", d["blocked"].to_numpy(dtype=float)),
            title,
            hline=(f"{sc.lines} lines", float(sc.lines)) if sc and sc.lines else None,
        )
        out.append(
            {
                "title": title,
                "svg": chart,
                "legend": svg.legend(
                    ["lines busy (mean)", "callers waiting (mean)", "call-takers logged in"]
                ),
                "facts": f"{int(d['offered'].sum()):,} callers, {int(d['blocked'].sum()):,} busy "
                f"tones, {int(d['abandoned'].sum()):,} abandoned, longest queue "
                f"{int(d['queue_max'].max()):,}",
            }
        )
    return out


def _heat_map(folder: Path, sc: Scenario | None, threshold_s: float) -> str:
    if not (folder / "attempts.parquet").exists():  # a run with --no-attempts: no heat map
        return ""
    path = folder / "attempts.parquet"
    names = _columns(path)  # wait_s is put back from what it is made of
    cols = ["outcome", "arrived_at_s", "answered_at_s", "line_released_at_s", "menu_s",
            "callback_try", "in_window", "wait_s"]  # fmt: skip
    a = restored("attempts", _table(path, columns=[c for c in cols if c in names]))
    a = a[a["in_window"] & (a["outcome"] == "answered")]
    if a.empty:
        return ""
    day = (a["arrived_at_s"].to_numpy() // DAY_S).astype(int)
    start = sc.horizon.start_date.weekday() if sc else 0
    weekday = (day + start) % 7
    hour = ((a["arrived_at_s"].to_numpy() % DAY_S) // 3600).astype(int)
    ok = (a["wait_s"].to_numpy() <= threshold_s).astype(float)
    cell = weekday * 24 + hour
    n = np.bincount(cell, minlength=7 * 24)
    k = np.bincount(cell, weights=ok, minlength=7 * 24)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(n > 0, k / np.maximum(n, 1), np.nan).reshape(7, 24)
    rows = WEEKDAYS if sc else [f"day {i} mod 7" for i in range(7)]
    seen = n.reshape(7, 24).sum(axis=1) > 0
    if seen.sum() < 7:  # a short run: only the weekdays it has
        values, rows = values[seen], [r for r, s in zip(rows, seen, strict=True) if s]
    return svg.heat_map(
        values,
        rows,
        [f"{h:02d}" for h in range(24)],
        f"Service level (answered within {threshold_s:g} s) by hour of day and weekday",
        SL_TARGET_DEFAULT,
    )


def _stages(folder: Path, golden_hour_s: float, nr_share: float | None) -> dict | None:
    from sim.report.charts import delay_stages

    cols = ["replication", "in_window", "complaint", "fraud_at_s", "first_dial_at_s",
            "answered_at_s", "registered_at_s"]  # fmt: skip
    c = _table(folder / "callers.parquet", columns=cols)
    st = delay_stages(c, golden_hour_s, points=120)
    if st is None:
        return None
    t_h, (dialled, answered, registered), at_gh = st
    curves = [
        ("not yet dialled (victim delay)", np.ones_like(t_h), "#edf2f7"),
        ("dialled, not yet answered (access)", dialled, "#f6ad55"),
        ("answered, not yet registered (handling)", answered, "#90cdf4"),
        ("registered", registered, "#2b6cb0"),
    ]
    return {
        "svg": svg.stages(t_h, curves, golden_hour_s / 3600, "Reporting delay by stage"),
        "legend": [(name, colour) for name, _, colour in curves],
        "at_gh": at_gh,
        "not_registered": nr_share,
    }


def _by_shift(folder: Path, sc: Scenario | None) -> list[dict]:
    """Occupancy (busy / logged-in call-taker time) and overtime per day, by shift."""
    if sc is None or not sc.staff.shifts:
        return []
    iv = _table(folder / "intervals.parquet")
    iv = iv[iv["in_window"]]
    tod = iv["interval_start_s"].to_numpy() % DAY_S
    s = _table(folder / "sessions.parquet")
    lo, hi = sc.horizon.warmup_s, sc.horizon.end_s
    s = s[(s["logout_at_s"] >= lo) & (s["logout_at_s"] < hi)]
    end_tod = (s["logout_at_s"].to_numpy() - s["overtime_s"].to_numpy()) % DAY_S
    reps = max(int(iv["replication"].nunique()), 1)
    days = (hi - lo) / DAY_S
    rows = []
    for sh in sc.staff.shifts:
        inside = ((tod - sh.start_s) % DAY_S) < sh.duration_s
        busy = float(iv.loc[inside, "call_takers_busy_mean"].sum())
        logged = float(iv.loc[inside, "call_takers_on_duty_mean"].sum())
        # a session's planned end (log-out minus overtime) is its shift's end
        mine = np.asarray([_shift_ending(sc, e) is sh for e in end_tod], dtype=bool)
        ot_h = float(s["overtime_s"].to_numpy()[mine].sum()) / 3600
        start = f"{int(sh.start_s // 3600):02d}:{int(sh.start_s % 3600 // 60):02d}"
        rows.append(
            {
                "shift": f"{sh.name} ({start}, {sh.duration_s / 3600:g} h)",
                "occupancy": busy / logged if logged else math.nan,
                "overtime_h_per_day": ot_h / reps / days,
                "logged_in_mean": logged / max(int(inside.sum()), 1),
            }
        )
    return rows


def _shift_ending(sc: Scenario, clock_s: float) -> Any:
    """The shift whose end is nearest to ``clock_s`` (seconds after midnight)."""
    return min(
        sc.staff.shifts,
        key=lambda x: abs((clock_s - x.start_s - x.duration_s + DAY_S / 2) % DAY_S - DAY_S / 2),
    )


def run_report(folder: Path, sections: dict[str, list[str]], f: Formats) -> str:
    """The HTML page of a ``helpline run`` folder."""
    doc = _json(folder / "summary.json")
    sc = _scenario(folder, doc.get("scenario_file"))
    summary = _table(folder / "summary.parquet")
    descr = dict(zip(summary["metric"], summary["description"], strict=True))
    threshold_s = sc.targets.service_level_s if sc else 20.0
    golden_s = sc.targets.golden_hour_s if sc else 3600.0
    metrics = doc["metrics"]

    def mean(m: str) -> float:
        """A metric's mean from summary.json; NaN when absent or null."""
        v = metrics.get(m, {}).get("mean")
        return math.nan if v is None else float(v)

    shifts = _by_shift(folder, sc)
    stages = _stages(folder, golden_s, mean("not_registered_share"))
    targets = [
        {
            "what": f"answered within {threshold_s:g} s (targets.service_level_s)",
            "value": f.value(mean("service_level"), "share"),
            "ci": _ci(metrics.get("service_level", {}), "share", f, int(doc["replications"])),
        },
        {
            "what": f"complaints registered within the golden hour ({golden_s / 60:g} min, "
            "targets.golden_hour_min)",
            "value": f.value(mean("golden_hour_share"), "share"),
            "ci": _ci(metrics.get("golden_hour_share", {}), "share", f, int(doc["replications"])),
        },
    ]
    reps = int(doc["replications"])
    for m, what in (
        ("targets_met_interval_share", "intervals meeting every stated target"),
        ("targets_met_day_share", "days meeting every stated target"),
        ("peak_lines_bind_share", "peak time with every line held (lines bind)"),
        ("peak_seats_bind_share", "peak time with every seat taken and someone without one"),
        ("peak_people_bind_share", "peak time with every call-taker busy and a seat free"),
    ):
        if m in metrics:
            targets.append(
                {
                    "what": f"{what} ({m})",
                    "value": f.value(mean(m), "share"),
                    "ci": _ci(metrics[m], "share", f, reps),
                }
            )
    stated, binds, against = "", "", []
    if sc is not None:
        from sim.report.targets_text import binding_line, targets_phrase

        stated = targets_phrase(sc.targets) if sc.targets.stated else ""
        means = {k: (math.nan if v.get("mean") is None else v["mean"]) for k, v in metrics.items()}
        if any(m.startswith("peak_") for m in metrics):
            binds = binding_line(means, sc).strip()
        by_interval_file = folder / "targets_by_interval.parquet"
        if by_interval_file.is_file():  # the printout's lines, worst interval and profile
            from sim.report.targets_text import against_targets

            by_interval = _table(by_interval_file)
            against = [x.strip() for x in against_targets(sc, means, by_interval)]
    extra = {k: v for k, v in doc.items() if k in ("targets", "attainment", "binds", "binding")}
    return render(
        "report.html.j2",
        kind="run",
        title=f"{doc['scenario']}: simulation report",
        doc=doc,
        sc=sc,
        scenario_file=doc.get("scenario_file"),
        assumptions=_assumptions(doc.get("scenario_file"), sc),
        headline=_headline(doc, sections, f, descr),
        targets=targets,
        targets_stated=stated,
        binds=binds,
        against=against,
        extra_json={k: json.dumps(v, indent=1) for k, v in extra.items()},
        timelines=_timelines(_table(folder / "intervals.parquet"), sc),
        heat_map=_heat_map(folder, sc, threshold_s),
        stages=stages,
        shifts=shifts,
        occupancy_svg=svg.bars(
            [r["shift"].split(" (")[0] for r in shifts],
            [r["occupancy"] for r in shifts],
            "Call-taker occupancy by shift",
            "",
            percent=True,
        )
        if shifts
        else "",
        overtime_svg=svg.bars(
            [r["shift"].split(" (")[0] for r in shifts],
            [r["overtime_h_per_day"] for r in shifts],
            "Overtime by shift (hours a day)",
            "h/day",
        )
        if shifts
        else "",
        fmt=f,
    )


def compare_report(folder: Path, sections: dict[str, list[str]], f: Formats) -> str:
    """The HTML page of a ``helpline compare`` folder."""
    doc = _json(folder / "compare.json")
    names: list[str] = doc["scenarios"]
    ref = doc["reference"]
    groups = []
    listed = {m for ms in sections.values() for m in ms}
    extra = [m for m in doc["metrics"] if m not in listed]
    for title, ms in [*sections.items(), ("Other", extra)]:
        rows = []
        for m in ms:
            e = doc["metrics"].get(m)
            if e is None:
                continue
            unit = e["unit"]
            cells = []
            for n in names:
                s = e["scenarios"][n]
                cells.append(
                    {
                        "value": f.value(math.nan if s["mean"] is None else s["mean"], unit),
                        "ci": _ci(s, unit, f, int(doc["replications"])),
                    }
                )
            diffs = []
            for n in names[1:]:
                d = e["differences"][n]
                lo, hi = d["paired_ci95"]
                sig = lo is not None and hi is not None and (lo > 0 or hi < 0)
                ulo, uhi = d["unpaired_ci95"]
                diffs.append(
                    {
                        "value": f.diff(math.nan if d["diff"] is None else d["diff"], unit),
                        "paired": "n/a" if lo is None or hi is None
                        else f"[{f.diff(lo, unit)}, {f.diff(hi, unit)}]",
                        "unpaired": "n/a" if ulo is None or uhi is None
                        else f"[{f.diff(ulo, unit)}, {f.diff(uhi, unit)}]",
                        "sig": sig,
                    }
                )  # fmt: skip
            rows.append({"metric": m, "unit": "" if unit == "share" else unit, "cells": cells,
                         "diffs": diffs})  # fmt: skip
        if rows:
            groups.append({"title": title, "rows": rows})
    return render(
        "report.html.j2",
        kind="compare",
        title=f"Comparison: {', '.join(names)}",
        doc=doc,
        names=names,
        ref=ref,
        groups=groups,
    )


def sweep_report(folder: Path, sections: dict[str, list[str]], f: Formats) -> str:
    """The HTML page of a ``helpline sweep`` folder."""
    doc = _json(folder / "sweep.json")
    summary = _table(folder / "summary.parquet")
    keys: list[str] = doc["keys"]
    points = summary.drop_duplicates("point").sort_values("point")
    labels = [", ".join(f"{k}={points.iloc[i][k]}" for k in keys) for i in range(len(points))]
    chart_metric = str(doc.get("chart", "")).removesuffix(".png") or "service_level"
    charts = []
    for m in dict.fromkeys([chart_metric, "service_level", "asa_s", "block_rate",
                            "golden_hour_share"]):  # fmt: skip
        rows = summary[summary["metric"] == m].sort_values("point")
        if rows.empty:
            continue
        unit = rows["unit"].iloc[0]
        title = f"{m} ({'share' if unit == 'share' else unit}): mean and 95% CI by point"
        values = [", ".join(str(points.iloc[i][k]) for k in keys) for i in range(len(points))]
        chart = svg.points_chart(
            values,
            [(m, rows["mean"].tolist(), rows["ci95_lo"].tolist(), rows["ci95_hi"].tolist())],
            title,
            unit == "share",
        )
        charts.append({"svg": chart, "title": title})
    groups = []
    by = summary.set_index(["metric", "point"])
    for title, ms in sections.items():
        rows = []
        for m in ms:
            if (m, int(points["point"].iloc[0])) not in by.index:
                continue
            unit = by.loc[(m, int(points["point"].iloc[0])), "unit"]
            cells = []
            for p in points["point"]:
                r = by.loc[(m, int(p))]
                ci = (
                    ""
                    if pd.isna(r["ci95_lo"])
                    else f"{f.value(r['ci95_lo'], unit)} to {f.value(r['ci95_hi'], unit)}"
                )
                cells.append({"value": f.value(r["mean"], unit), "ci": ci})
            rows.append({"metric": m, "unit": "" if unit == "share" else unit, "cells": cells})
        groups.append({"title": title, "rows": rows})
    return render(
        "report.html.j2",
        kind="sweep",
        title=f"Sweep of {doc['scenario']}: {', '.join(keys)}",
        doc=doc,
        point_labels=[
            {"point": int(p), "label": lab} for p, lab in zip(points["point"], labels, strict=True)
        ],
        charts=charts,
        groups=groups,
    )


def report(folder: Path, sections: dict[str, list[str]], f: Formats) -> tuple[str, str]:
    """(kind, page) for an output folder."""
    kind = kind_of(folder)
    build: dict[str, Callable[[Path, dict[str, list[str]], Formats], str]] = {
        "run": run_report,
        "compare": compare_report,
        "sweep": sweep_report,
    }
    return kind, build[kind](folder, sections, f)
