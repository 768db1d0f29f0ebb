"""Facts recorded by one replication, as tidy tables.

The model appends facts (instants, durations, who served); tables and metrics
are derived afterwards. Every row carries ``scenario``, ``replication`` and
``seed``. Instants are ``*_at_s`` (seconds from the horizon start, which is
midnight of ``start_date``); durations are ``*_s``. docs/results.md describes
every column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.core.intervals import bin_max, bin_mean

if TYPE_CHECKING:
    from sim.scenario.values import Scenario

# attempt outcomes
WAITING, ANSWERED, ABANDONED, BLOCKED = 0, 1, 2, 3
ATTEMPT_OUTCOMES = ["in_system", "answered", "abandoned", "blocked"]
# caller outcomes
TRYING, GAVE_UP = 0, 2  # ANSWERED = 1 shared with attempts
CALLER_OUTCOMES = ["trying", "answered", "gave_up"]

INTERVAL_S = 900.0


@dataclass
class Records:
    """Columns of one replication (numpy arrays), and the tables built from them."""

    scenario: Scenario
    replication: int
    stop_s: float
    attempt: dict[str, np.ndarray]
    caller: dict[str, np.ndarray]
    session: dict[str, np.ndarray]
    people: pd.DataFrame
    # Presence facts (sim/binding.py): the roster's duty periods and the breaks taken, each
    # with the person's role; columns person_id, role and on_at_s / off_at_s (duty) or
    # start_at_s / end_at_s (breaks).
    duty: dict[str, np.ndarray] = field(default_factory=dict)
    breaks: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def seed(self) -> int:
        return self.scenario.horizon.seed

    @property
    def window_s(self) -> tuple[float, float]:
        """[warm-up end, horizon end): metrics count callers and attempts that start inside."""
        h = self.scenario.horizon
        return h.warmup_s, h.end_s

    @classmethod
    def from_model(cls, m: Any, stop_s: float) -> Records:
        n = m.n_attempts

        def col(name: str) -> np.ndarray:
            """A model column as a numpy view (no copy) of its first ``n`` rows."""
            arr = getattr(m, f"a_{name}")
            return np.frombuffer(arr, dtype=np.dtype(arr.typecode))[:n]

        f64 = np.float64
        attempt = {
            "caller_id": col("caller").astype(np.int64, copy=False),
            "attempt_no": col("no"),
            "outcome": col("outcome"),
            "arrived_at_s": col("arrived_s"),
            "patience_s": col("patience_s"),
            "answered_at_s": col("answered_s"),
            "agent_id": col("agent"),
            "talk_s": col("talk_s"),
            "escalation_requested_at_s": col("esc_request_s"),
            "escalation_started_at_s": col("esc_start_s"),
            "officer_id": col("officer"),
            "escalation_talk_s": col("esc_talk_s"),
            "line_released_at_s": col("ended_s"),
            "after_call_s": col("acw_s"),
            "done_at_s": col("done_s"),
        }
        attempt["call_type"] = m.c_type[attempt["caller_id"]]
        # A caller stops dialling once answered, so at most one attempt per caller is
        # answered: it gives the caller's answer time, and its end of after-call work the
        # registration time when the call type registers a complaint.
        answered = np.flatnonzero(attempt["outcome"] == ANSWERED)
        who = attempt["caller_id"][answered]
        outcome = np.frombuffer(m.c_outcome, dtype=np.int8).copy()
        outcome[who] = ANSWERED
        answered_at = np.full(m.n_callers, np.nan)
        answered_at[who] = attempt["answered_at_s"][answered]
        complaint = np.array([t.complaint for t in m.sc.call_types], dtype=bool)
        registers = complaint[attempt["call_type"][answered]]
        registered_at = np.full(m.n_callers, np.nan)
        registered_at[who[registers]] = attempt["done_at_s"][answered[registers]]
        caller = {
            "call_type": m.c_type,
            "fraud_at_s": np.asarray(m.c_fraud_s, dtype=f64),
            "first_dial_at_s": np.asarray(m.first_s, dtype=f64),
            "attempts": np.frombuffer(m.c_attempts, dtype=np.int32),
            "outcome": outcome,
            "answered_at_s": answered_at,
            "registered_at_s": registered_at,
            "gave_up_at_s": np.frombuffer(m.c_gave_up_s, dtype=f64),
            "loss_rs": np.asarray(m.c_loss, dtype=f64),
        }
        people = m.roster.people
        role = people["role"].to_numpy()
        parts = []
        pools = (m.takers, m.officers)
        for pool in pools:
            parts.append(
                {
                    "person_id": np.asarray(pool.s_person, dtype=np.int32),
                    "login_at_s": np.asarray(pool.s_start_s, dtype=f64),
                    "logout_at_s": np.asarray(pool.s_end_s, dtype=f64),
                    "overtime_s": np.asarray(pool.s_overtime_s, dtype=f64),
                }
            )
        session = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        session["role"] = role[session["person_id"]].astype(np.int8)
        duty: dict[str, np.ndarray] = {
            "person_id": np.asarray(m.roster.duty_person, dtype=np.int32),
            "on_at_s": np.asarray(m.roster.duty_start_s, dtype=f64),
            "off_at_s": np.asarray(m.roster.duty_end_s, dtype=f64),
        }
        duty["role"] = role[duty["person_id"]].astype(np.int8)
        b_person = np.concatenate([np.asarray(p.b_person, dtype=np.int32) for p in pools])
        breaks = {
            "person_id": b_person,
            "role": role[b_person].astype(np.int8),
            "start_at_s": np.concatenate([np.asarray(p.b_start_s, dtype=f64) for p in pools]),
            "end_at_s": np.concatenate([np.asarray(p.b_end_s, dtype=f64) for p in pools]),
        }
        return cls(m.sc, m.replication, stop_s, attempt, caller, session, people, duty, breaks)

    # --- tables ------------------------------------------------------------------------
    def _tag(self, df: pd.DataFrame) -> pd.DataFrame:
        df.insert(0, "seed", np.int64(self.seed))
        df.insert(0, "replication", np.int32(self.replication))
        df.insert(
            0,
            "scenario",
            pd.Categorical.from_codes(np.zeros(len(df), np.int8), [self.scenario.name]),
        )
        return df

    def _type_cat(self, codes: np.ndarray) -> pd.Categorical:
        names = [t.name for t in self.scenario.call_types]
        return pd.Categorical.from_codes(codes, categories=names)

    @cached_property
    def attempts(self) -> pd.DataFrame:
        """One row per dial (attempt)."""
        a = self.attempt
        lo, hi = self.window_s
        wait = np.where(
            a["outcome"] == ANSWERED,
            a["answered_at_s"] - a["arrived_at_s"],
            np.where(
                a["outcome"] == ABANDONED,
                a["line_released_at_s"] - a["arrived_at_s"],
                np.where(a["outcome"] == BLOCKED, 0.0, np.nan),
            ),
        )
        df = pd.DataFrame(
            {
                "attempt_id": np.arange(a["caller_id"].size, dtype=np.int64),
                "caller_id": a["caller_id"],
                "attempt_no": a["attempt_no"],
                "call_type": self._type_cat(a["call_type"]),
                "outcome": pd.Categorical.from_codes(a["outcome"], categories=ATTEMPT_OUTCOMES),
                "arrived_at_s": a["arrived_at_s"],
                "wait_s": wait,
                "patience_s": a["patience_s"],
                "answered_at_s": a["answered_at_s"],
                "agent_id": a["agent_id"],
                "talk_s": a["talk_s"],
                "escalated": ~np.isnan(a["escalation_requested_at_s"]),
                "escalation_wait_s": a["escalation_started_at_s"] - a["escalation_requested_at_s"],
                "officer_id": a["officer_id"],
                "escalation_talk_s": a["escalation_talk_s"],
                "line_released_at_s": a["line_released_at_s"],
                "after_call_s": a["after_call_s"],
                "done_at_s": a["done_at_s"],
                "in_window": (a["arrived_at_s"] >= lo) & (a["arrived_at_s"] < hi),
            },
            copy=False,  # views of the recorded columns: the table costs no second copy
        )
        return self._tag(df)

    @cached_property
    def callers(self) -> pd.DataFrame:
        """One row per caller (one person, one reason to call), with reporting-delay parts."""
        c = self.caller
        sc = self.scenario
        lo, hi = self.window_s
        complaint = np.array([t.complaint for t in sc.call_types])[c["call_type"]]
        reg = c["registered_at_s"]
        delay = reg - c["fraud_at_s"]
        held = np.where(
            np.isnan(reg), 0.0, c["loss_rs"] * sc.money.held_share(np.nan_to_num(delay))
        )
        df = pd.DataFrame(
            {
                "caller_id": np.arange(c["call_type"].size, dtype=np.int64),
                "call_type": self._type_cat(c["call_type"]),
                "complaint": complaint,
                "fraud_at_s": c["fraud_at_s"],
                "first_dial_at_s": c["first_dial_at_s"],
                "attempts": c["attempts"],
                "outcome": pd.Categorical.from_codes(c["outcome"], categories=CALLER_OUTCOMES),
                "answered_at_s": c["answered_at_s"],
                "registered_at_s": np.where(complaint, reg, np.nan),
                "gave_up_at_s": c["gave_up_at_s"],
                "victim_delay_s": c["first_dial_at_s"] - c["fraud_at_s"],
                "access_delay_s": c["answered_at_s"] - c["first_dial_at_s"],
                "handling_s": np.where(complaint, reg - c["answered_at_s"], np.nan),
                "reporting_delay_s": np.where(complaint, delay, np.nan),
                "golden_hour": complaint & (delay <= sc.targets.golden_hour_s),
                "loss_rs": np.where(complaint, c["loss_rs"], np.nan),
                "held_rs": np.where(complaint, held, np.nan),
                "in_window": (c["first_dial_at_s"] >= lo) & (c["first_dial_at_s"] < hi),
            }
        )
        return self._tag(df)

    @cached_property
    def sessions(self) -> pd.DataFrame:
        """One row per log-in session of a call-taker or officer."""
        s = self.session
        people = self.people.set_index("person_id")
        df = pd.DataFrame(
            {
                "person_id": s["person_id"],
                "role": pd.Categorical.from_codes(s["role"], ["call_taker", "escalation", "other"]),
                "rank": people["rank"].to_numpy()[s["person_id"]],
                "login_at_s": s["login_at_s"],
                "logout_at_s": s["logout_at_s"],
                "overtime_s": s["overtime_s"],
            }
        )
        return self._tag(df)

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """One row per 15-minute interval of the horizon (warm-up included, flagged)."""
        a = self.attempt
        sc = self.scenario
        end_s = sc.horizon.end_s
        edges = np.arange(0.0, end_s + INTERVAL_S / 2, INTERVAL_S)
        if edges[-1] < end_s:
            edges = np.append(edges, end_s)
        arrived = a["arrived_at_s"]
        out = a["outcome"]
        stop = self.stop_s

        def count(mask: np.ndarray) -> np.ndarray:
            return np.histogram(arrived[mask], bins=edges)[0]

        first = self.caller["first_dial_at_s"]
        waited = out != BLOCKED
        q_end = np.where(
            out == ANSWERED,
            a["answered_at_s"],
            np.where(out == ABANDONED, a["line_released_at_s"], stop),
        )
        line_end = np.nan_to_num(a["line_released_at_s"], nan=stop)
        ans = out == ANSWERED
        busy_end = np.nan_to_num(a["done_at_s"], nan=stop)
        s = self.session
        taker = s["role"] == 0
        df = pd.DataFrame(
            {
                "interval_start_s": edges[:-1],
                "offered": np.histogram(first, bins=edges)[0],
                "attempts": np.histogram(arrived, bins=edges)[0],
                "answered": count(out == ANSWERED),
                "abandoned": count(out == ABANDONED),
                "blocked": count(out == BLOCKED),
                "queue_mean": bin_mean(arrived[waited], q_end[waited], edges),
                "queue_max": bin_max(arrived[waited], q_end[waited], edges).astype(np.int32),
                "lines_busy_mean": bin_mean(arrived[waited], line_end[waited], edges),
                "lines_busy_max": bin_max(arrived[waited], line_end[waited], edges).astype(
                    np.int32
                ),
                "call_takers_on_duty_mean": bin_mean(
                    s["login_at_s"][taker], s["logout_at_s"][taker], edges
                ),
                "call_takers_busy_mean": bin_mean(a["answered_at_s"][ans], busy_end[ans], edges),
                "in_window": (edges[:-1] >= sc.horizon.warmup_s),
            }
        )
        return self._tag(df)
