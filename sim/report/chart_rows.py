"""The rows and columns of a run's attempts and callers tables that its charts read.

A run keeps only these for its charts (:func:`chart_rows`, piece by piece as the tables are
written), not the tables: a small share of a year's rows and columns. Light on purpose
(no matplotlib), so a run loads the plotting library only to draw.
"""

from __future__ import annotations

import pandas as pd

#: The columns the run's charts read from the attempts and callers tables, and the rows:
#: answered attempts of the window, complaint callers of the window (:func:`chart_rows`).
ATTEMPT_COLUMNS = ("replication", "in_window", "outcome", "wait_s", "talk_s",
                   "escalation_talk_s", "after_call_s")  # fmt: skip
CALLER_COLUMNS = ("replication", "in_window", "complaint", "fraud_at_s", "first_dial_at_s",
                  "answered_at_s", "registered_at_s")  # fmt: skip


def chart_rows(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The rows and columns of an ``attempts`` or ``callers`` table (or piece) the charts read.

    Charts drawn from these give the same pictures as from the whole tables, so a run keeps
    only these (a small share of a year's tables) for its charts.
    """
    if name == "attempts":
        rows = table["in_window"] & (table["outcome"] == "answered")
        return table.loc[rows, list(ATTEMPT_COLUMNS)]
    rows = table["in_window"] & table["complaint"]
    return table.loc[rows, list(CALLER_COLUMNS)]
