"""Per-interval facts of simulated replications: service level, abandonment, offered load.

The offered load of an interval is the time-average number of calls that would be in service
if every attempt were answered at once (an infinite-server system fed by the simulated attempts,
redials included, each held for its own talk, escalation and after-call work): the quantity the
iterative staffing algorithm restaffs on. The line load is the time-average number of lines
held (waiting and talking).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.intervals import bin_mean

ANSWERED, ABANDONED, BLOCKED = "answered", "abandoned", "blocked"


@dataclass(frozen=True)
class Measures:
    """One row per replication, one column per interval (arrays of shape (R, n))."""

    attempts: np.ndarray
    answered: np.ndarray
    within: np.ndarray
    abandoned: np.ndarray
    blocked: np.ndarray
    offered_erl: np.ndarray
    lines_erl: np.ndarray
    busy_erl: np.ndarray

    def service_level(self, convention: str) -> np.ndarray:
        """Per replication and interval (NaN where nothing was answered or offered): of the
        answered, or of the offered (answered, abandoned in the queue, blocked), as
        :mod:`sim.attainment` reads it.
        """
        den = (
            self.answered
            if convention == "answered"
            else self.answered + self.abandoned + self.blocked
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, self.within / np.maximum(den, 1), np.nan)

    def abandon_rate(self) -> np.ndarray:
        """Abandoned share of the calls that reached the queue, per interval (NaN if none)."""
        den = self.answered + self.abandoned
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, self.abandoned / np.maximum(den, 1), np.nan)

    def block_rate(self) -> np.ndarray:
        """Blocked share of attempts, per interval (NaN where none were made)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.attempts > 0, self.blocked / np.maximum(self.attempts, 1), np.nan)


def measure(
    attempts: list[pd.DataFrame], edges_s: np.ndarray, within_s: float, mean_handle_s: float
) -> Measures:
    """Count each replication's attempts by the interval they arrived in (``edges_s``)."""
    rows: dict[str, list[np.ndarray]] = {k: [] for k in Measures.__dataclass_fields__}
    n = edges_s.size - 1
    for a in attempts:
        arrived = a["arrived_at_s"].to_numpy()
        outcome = a["outcome"]
        if isinstance(outcome.dtype, pd.CategoricalDtype):  # compare codes, not strings
            codes = outcome.cat.codes.to_numpy()
            names = list(outcome.cat.categories)

            def code(name: str, codes: np.ndarray = codes, names: list[str] = names) -> np.ndarray:
                return codes == names.index(name) if name in names else np.zeros(codes.size, bool)

            ans, ab, bl = code(ANSWERED), code(ABANDONED), code(BLOCKED)
        else:
            out = outcome.astype(str).to_numpy()
            ans, ab, bl = out == ANSWERED, out == ABANDONED, out == BLOCKED
        # The callers' own dials (a callback try is the helpline's, not an offered call), and
        # hang-ups in the language menu left out of abandonment, as the run's metrics and
        # attainment count them (sim.metrics, sim.attainment); the load counts every attempt.
        own = (
            a["callback_try"].to_numpy() == 0
            if "callback_try" in a
            else np.ones(arrived.size, bool)
        )
        in_menu = (
            a["menu_abandoned"].to_numpy(dtype=bool)
            if "menu_abandoned" in a
            else np.zeros(arrived.size, bool)
        )
        wait = a["wait_s"].to_numpy()
        # The interval each attempt arrived in, as np.histogram bins (the last edge inside).
        k = np.searchsorted(edges_s, arrived, side="right") - 1
        k = np.where(arrived == edges_s[-1], n - 1, k)
        inside = (k >= 0) & (k < n)

        def count(mask: np.ndarray, k: np.ndarray = k, inside: np.ndarray = inside) -> np.ndarray:
            return np.bincount(k[mask & inside], minlength=n).astype(float)

        rows["attempts"].append(count(own))
        rows["answered"].append(count(ans & own))
        rows["within"].append(count(ans & own & (wait <= within_s)))
        rows["abandoned"].append(count(ab & own & ~in_menu))
        rows["blocked"].append(count(bl & own))
        work = (
            np.nan_to_num(a["talk_s"].to_numpy(), nan=0.0)
            + np.nan_to_num(a["escalation_talk_s"].to_numpy(), nan=0.0)
            + np.nan_to_num(a["after_call_s"].to_numpy(), nan=0.0)
        )
        work = np.where(ans, a["done_at_s"].to_numpy() - a["answered_at_s"].to_numpy(), work)
        work = np.where(np.isfinite(work) & (work > 0), work, mean_handle_s)
        got_line = ~bl
        rows["offered_erl"].append(
            bin_mean(arrived[got_line], arrived[got_line] + work[got_line], edges_s)
        )
        released = a["line_released_at_s"].to_numpy()
        held = got_line & np.isfinite(released)
        rows["lines_erl"].append(bin_mean(arrived[held], released[held], edges_s))
        done = a["done_at_s"].to_numpy()
        busy = ans & np.isfinite(done)
        rows["busy_erl"].append(bin_mean(a["answered_at_s"].to_numpy()[busy], done[busy], edges_s))
    return Measures(**{k: np.vstack(v) for k, v in rows.items()})
