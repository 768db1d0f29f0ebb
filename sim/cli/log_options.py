"""The call-log options ``calibrate`` and ``backtest`` share, and reading the log they name.

``--format``, ``--map FIELD=COLUMN`` and ``--time-zone`` say how to read a log
(docs/calibration.md) and ``--staffing`` how to read the agents on duty from it; a bad
log stops with the log reader's one line (row and column) and exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from sim.calibrate.logs import FORMATS, CallLog, LogError, parse_map, read_log
from sim.calibrate.staffing import ESTIMATORS
from sim.cli.common import fail


def log_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--format`` (``fmt``), ``--map`` (``mapping``) and ``--time-zone`` to a command."""
    fn = click.option(
        "--time-zone",
        help="CSV: convert times with a UTC offset to this zone's wall clock (IANA name).",
    )(fn)
    fn = click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="FIELD=COLUMN",
        help="CSV: the column holding a field (docs/calibration.md); repeat.",
    )(fn)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="anonymous-bank",
        show_default=True,
        help="Log format.",
    )(fn)


def staffing_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--staffing`` (``staffing_estimator``): how agents on duty are read from the log."""
    return click.option(
        "--staffing",
        "staffing_estimator",
        type=click.Choice(ESTIMATORS),
        default=ESTIMATORS[0],
        show_default=True,
        help="Agents on duty from the agent ids: sessions broken by 15 idle minutes (idle-gap), "
        "or the most time on duty consistent with answering any waiting call at once "
        "(work-conserving; counts breaks taken while nobody waited). docs/calibration.md.",
    )(fn)


def read_log_or_fail(
    log_file: str, fmt: str, mapping: tuple[str, ...], time_zone: str | None
) -> CallLog:
    """The log, read as the options say; a bad log ends the command with its one-line error."""
    try:
        return read_log(log_file, fmt, parse_map(mapping), time_zone)
    except LogError as exc:
        fail(str(exc))
