"""The rows and columns of a run's attempts and callers tables that its charts read.

A run keeps only these for its charts (:func:`chart_rows`, piece by piece as the tables are
written), not the tables: a small share of a year's rows and columns. Light on purpose
(no matplotlib), so a run loads the plotting library only to draw.
"""

from __future__ import annotations

import pandas as pd

#: What the run's charts read of the attempts and callers tables, and the rows: answered
#: attempts of the window (their wait and handle time, :func:`handle_s`), complaint callers
#: of the window (:func:`chart_rows`).
ATTEMPT_COLUMNS = ("in_window", "outcome", "wait_s", "handle_s")
CALLER_COLUMNS = ("replication", "in_window", "complaint", "fraud_at_s", "first_dial_at_s",
                  "answered_at_s", "registered_at_s")  # fmt: skip


def handle_s(attempts: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """The handle time of the attempts ``rows`` selects, s: talk + escalation talk +
    after-call work, a missing part counted as 0 (a table's own ``handle_s`` where it has
    one). Only the columns summed are copied.
    """
    if "handle_s" in attempts.columns:
        return attempts.loc[rows, "handle_s"]
    parts = attempts.loc[rows, ["talk_s", "escalation_talk_s", "after_call_s"]]
    return (
        parts["talk_s"].fillna(0)
        + parts["escalation_talk_s"].fillna(0)
        + parts["after_call_s"].fillna(0)
    )


def chart_rows(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The rows and columns of an ``attempts`` or ``callers`` table (or piece) the charts read.

    Charts drawn from these give the same pictures as from the whole tables (a test holds
    this), so a run keeps only these for its charts: of a year's attempts, 1.5 million rows
    of 18 bytes, the three parts of the handle time summed here as the chart sums them.
    Without the table's index (pieces are stacked with a new one).
    """
    if name == "attempts":
        rows = table["in_window"] & (table["outcome"] == "answered")
        kept = table.loc[rows, [c for c in ATTEMPT_COLUMNS if c != "handle_s"]]
        kept["handle_s"] = handle_s(table, rows)
        return kept.reset_index(drop=True)
    rows = table["in_window"] & table["complaint"]
    return table.loc[rows, list(CALLER_COLUMNS)].reset_index(drop=True)
