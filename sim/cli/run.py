"""``helpline run``: simulate a scenario, print a summary, write tables and charts.

The runner does the work and returns :class:`sim.runner.Results`; this module
parses the options, prints the metrics :data:`sim.metrics.SHOWN` declares and
writes the files.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import click
import pandas as pd

from sim.cli import IMPORTED_AT_S
from sim.cli.common import (
    OneLineCommand,
    draw_to_files,
    execution,
    friendly_errors,
    scenario_from,
    workers_option,
)
from sim.errors import ExperimentError
from sim.heap import release_free_heap
from sim.metrics import METRICS, SHOWN, shown_metrics
from sim.report.chart_rows import chart_rows
from sim.report.format import format_interval, format_value
from sim.report.output import (
    output_lock,
    replaced_folder,
    summary_json,
    write_json,
    write_table,
)
from sim.report.parquet import ROW_GROUP_ROWS, BackgroundWriter, TableFile
from sim.report.provenance import RESOLVED_NAME, Provenance, provenance, resolved_toml, stamp
from sim.report.targets_text import against_targets, profile_document
from sim.runner import (
    ALL_TABLES,
    ROW_TABLES,
    LazyTables,
    Results,
    RunResult,
    pieces_of,
    run_replications,
)


def replication_range(text: str) -> list[int]:
    """``--replication``: ``"I"`` or ``"I..J"`` (both included) as a list of numbers."""
    parts = text.strip().split("..")
    try:
        if len(parts) > 2:
            raise ValueError
        first, last = int(parts[0]), int(parts[-1])
    except ValueError:
        raise ExperimentError(
            f"must be a replication number I or a range I..J (both included); got {text!r}",
            "only",
        ) from None
    if first > last:
        raise ExperimentError(f"must be I or I..J with I <= J; got {text!r}", "only")
    return list(range(first, last + 1))


def render_summary(
    summary: pd.DataFrame, name: str, replications: int, days: float, warmup: float
) -> str:
    """The human summary: one line per shown metric, value, 95% CI when R > 1, unit.

    A section none of whose metrics has a value (an option the scenario leaves off) is left
    out rather than printed as a column of n/a.
    """
    rows = summary.set_index("metric")
    lines = [
        f"Scenario {name}: {replications} replication(s) of {days:g} days "
        f"(first {warmup:g} day(s) cut as warm-up)"
    ]
    shown = [m for names in SHOWN.values() for m in names]
    width = max(len(m) for m in shown)  # one column of names for all, and one of units
    unit_width = max(12, *(len(METRICS[m][0]) for m in shown if METRICS[m][0] != "share"))
    for title, names in SHOWN.items():
        if all(pd.isna(rows.loc[m, "mean"]) for m in names):
            continue  # a part the scenario leaves off (deferred work, the portal step)
        lines.append(f"\n{title}")
        for m in names:
            r = rows.loc[m]
            unit = METRICS[m][0]
            # No unit after "n/a" (a metric this scenario has no value for) nor after a share
            shown_unit = "" if unit == "share" or pd.isna(r["mean"]) else unit
            ci = ""
            if replications > 1 and not pd.isna(r.ci95_lo):
                ci = f"  (95% CI {format_interval(r.ci95_lo, r.ci95_hi, unit)})"
            lines.append(
                f"  {m:<{width}} {format_value(r['mean'], unit):>12} {shown_unit:<{unit_width}}{ci}"
            )
    return "\n".join(lines)


def summary_document(results: Results, extra: dict[str, object] | None = None) -> dict:
    """summary.json (and ``--json``): every metric's mean and CI, and the attainment profile."""
    sc = results.scenario
    doc = {
        **provenance(sc).as_dict(),
        **summary_json(sc.name, results.replications, results.summary, extra),
    }
    stated = sc.targets.stated
    doc["attainment_profile"] = (
        profile_document(results.table("targets_by_interval")) if stated else []
    )
    return doc


class RunFiles:
    """The files of one ``helpline run``, written into the staging folder ``stage`` as each
    replication ends (the runner's ``sink``), so a run holds one replication's large
    tables at a time, and those one piece at a time.

    Each table in ``write`` goes to its Parquet file, a row group per piece of one
    replication (:class:`~sim.report.parquet.TableFile`). The attempts and callers tables
    are not kept: with ``charts`` the rows the charts read are
    (:func:`~sim.report.chart_rows.chart_rows`); the other tables are small and stay in the
    result for the summary. With a ``background`` writer the row groups are encoded and
    written on its thread while this one builds the next pieces and draws the charts
    (:class:`~sim.report.parquet.BackgroundWriter`); with a ``second`` one too, the callers
    table is encoded on that, beside the attempts (their pieces interleaved); the files are
    whole once the writers are joined.
    """

    def __init__(
        self,
        stage: Path,
        prov: Provenance,
        write: tuple[str, ...],
        charts: bool,
        background: BackgroundWriter | None = None,
        second: BackgroundWriter | None = None,
    ) -> None:
        self.stage, self.prov, self.write, self.charts = stage, prov, write, charts
        writers = {"callers": second or background}
        self.files = {
            name: TableFile(stage / f"{name}.parquet", prov, writers.get(name, background))
            for name in write
        }
        self.chart_pieces: dict[str, list[pd.DataFrame]] = {name: [] for name in ROW_TABLES}

    def needed(self) -> tuple[str, ...]:
        """The tables each replication must make: those written, and those the charts read."""
        extra = tuple(ROW_TABLES) if self.charts else ()
        return tuple(n for n in ALL_TABLES if n in self.write or n in extra)

    def take(self, run: RunResult) -> None:
        """Write one replication's tables; leave only the small ones in ``run``."""
        tables = run.tables
        small = [n for n in tables if n not in ROW_TABLES]
        kept = {n: tables[n] for n in small}
        for name in small:
            if name in self.files:
                self.files[name].append([kept[name]])
        release_free_heap()  # what the tables before left in the heap, before the largest
        self._write_row_tables(tables)
        run.tables = kept

    def _write_row_tables(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """The attempts and callers tables piece by piece, a piece of each in turn: to their
        files (on two writer threads, encoded at once), and the rows the charts read.
        """
        streams = {n: self._pieces(tables, n) for n in ROW_TABLES if n in tables}
        if "attempts" not in streams and isinstance(tables, LazyTables):
            tables.drop_attempt_columns()
        while streams:
            for name in list(streams):
                piece = next(streams[name], None)
                if piece is None:
                    del streams[name]
                    if name == "attempts" and isinstance(tables, LazyTables):
                        tables.drop_attempt_columns()  # the callers table does not read them
                elif name in self.files:
                    self.files[name].append([piece])

    def _pieces(self, tables: Mapping[str, pd.DataFrame], name: str) -> Iterator[pd.DataFrame]:
        pieces = pieces_of(tables, name, ROW_GROUP_ROWS)
        return self._charted(name, pieces) if self.charts else iter(pieces)

    def _charted(self, name: str, pieces: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        """``pieces`` as they are, keeping the rows of each that the charts read."""
        for piece in pieces:
            self.chart_pieces[name].append(chart_rows(name, piece))
            yield piece

    def finish(self, results: Results, extra: dict[str, object]) -> None:
        """Close the tables; write the summaries, summary.json, the scenario and the charts."""
        sc, stage, prov = results.scenario, self.stage, self.prov
        for f in self.files.values():
            f.close()
        write_table(stamp(results.per_replication, prov), stage / "replications.parquet")
        write_table(stamp(results.summary, prov, seed=sc.horizon.seed), stage / "summary.parquet")
        write_json(summary_document(results, extra), stage / "summary.json")
        (stage / RESOLVED_NAME).write_text(resolved_toml(sc, prov), encoding="utf-8")
        if not self.charts:
            return
        draw_to_files()
        from sim.report import charts as plots  # matplotlib loads here, to draw

        attempts, callers = (
            pd.concat(self.chart_pieces.pop(n), ignore_index=True) for n in ROW_TABLES
        )
        plots.save(
            plots.load_vs_capacity(attempts, results.intervals, sc), str(stage / "load_by_hour.png")
        )
        plots.save(plots.wait_distribution(attempts, sc), str(stage / "wait_distribution.png"))
        plots.save(
            plots.reporting_delay_distribution(callers, sc), str(stage / "reporting_delay.png")
        )


#: Most seconds from a process's start to the import of the command line when the process
#: was started for the command: the interpreter's own start-up, well under this.
START_UP_MOST_S = 2.0


def command_seconds() -> float:
    """Seconds the command has taken: since this process started (Linux ``/proc``), so the
    interpreter's start-up counts too.

    A process's start is its fork, and a process can become ``helpline`` long after (a
    shell's ``exec``, as bash does with the last command of ``( ... )``). When the start
    comes more than :data:`START_UP_MOST_S` before the command line's import, or where
    ``/proc`` is missing, the time since that import is given instead.
    """
    since_import = time.perf_counter() - IMPORTED_AT_S
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
        boot_s = time.clock_gettime(time.CLOCK_BOOTTIME)
        since_start = boot_s - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return since_import
    return since_start if since_start - since_import <= START_UP_MOST_S else since_import


@click.command("run", cls=OneLineCommand)
@click.argument("scenario_file", metavar="SCENARIO.toml")
@click.option("--days", type=float, help="Override horizon.days.")
@click.option("--replications", "-r", type=int, help="Override horizon.replications.")
@click.option("--seed", type=int, help="Override horizon.seed.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Folder for tables, summary.json and charts [default: out/<scenario name>].",
)
@click.option(
    "--replication",
    "only",
    metavar="I or I..J",
    help="Run only replication I, or I to J (both included); their rows equal a full run's.",
)
@workers_option
@click.option(
    "--no-attempts",
    is_flag=True,
    help="Do not write attempts.parquet, the largest table (one row per dial).",
)
@click.option("--no-charts", is_flag=True, help="Do not draw the charts (PNG files).")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary as JSON.")
@friendly_errors
def command(
    scenario_file: str,
    days: float | None,
    replications: int | None,
    seed: int | None,
    out_dir: str | None,
    only: str | None,
    workers: int | None,
    no_attempts: bool,
    no_charts: bool,
    as_json: bool,
) -> None:
    """Simulate SCENARIO.toml and report wait times and reporting delay."""
    sc = scenario_from(scenario_file, days=days, replications=replications, seed=seed)
    how = execution(workers=workers)
    out = Path(out_dir) if out_dir else Path("out") / sc.name
    write = tuple(n for n in ALL_TABLES if not (no_attempts and n == "attempts"))
    with output_lock(out):  # one run at a time into a folder; it appears whole or not at all
        numbers = None if only is None else replication_range(only)
        # Row groups are encoded on threads of their own, the callers' beside the attempts'
        # (pyarrow frees the interpreter's lock): joined before the folder is published, or
        # discarded with it on an error.
        with (
            replaced_folder(out) as stage,
            BackgroundWriter() as background,
            BackgroundWriter() as second,  # the callers table, beside the attempts
        ):
            files = RunFiles(stage, provenance(sc), write, not no_charts, background, second)
            results = run_replications(
                sc, execution=how, tables=files.needed(), only=numbers, sink=files.take
            )
            h = sc.horizon
            extra = {
                "scenario_file": str(scenario_file),
                "seed": h.seed,
                "days": h.days,
                "warmup_days": h.warmup_days,
                "replications_run": results.per_replication["replication"].tolist(),
                "elapsed_s": results.elapsed_s,
            }
            files.finish(results, extra)
    if as_json:
        click.echo(json.dumps(summary_document(results), indent=2))
        return
    reps = results.replications
    click.echo(render_summary(results.summary, sc.name, reps, h.days, h.warmup_days))
    means = dict(zip(results.summary["metric"], results.summary["mean"], strict=True))
    by_interval = results.table("targets_by_interval")
    click.echo("\n" + "\n".join(against_targets(sc, means, by_interval)))
    # Loaded after the run: the experiment package brings scipy and matplotlib with it.
    from sim.experiment.precision import wide_interval_warning, wide_intervals

    shown = shown_metrics()
    shares = [m for m in shown if METRICS[m][0] == "share"]
    per_rep = results.per_replication
    wide = wide_intervals({m: per_rep[m].to_numpy() for m in shown}, shares=shares)
    warning = wide_interval_warning(wide, reps, str(scenario_file))
    if warning:
        click.echo("\n" + "\n".join(warning))
    what = "Tables and summary.json" if no_charts else "Tables, summary.json and charts"
    click.echo(
        f"\n{what} in {out}/ ({command_seconds():.1f} s in all; "
        f"simulating {results.elapsed_s:.1f} s)"
    )
