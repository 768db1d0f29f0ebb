"""The bank log (Feb 1999, Brown et al. 2005): the calibration reproduces the log's own figures.

The data sit beside the repository (``<repo>/../shared/data/``, read-only in CI; a worktree one
folder deeper finds them one level up), or where ``HELPLINE_SHARED_DATA`` says
(:mod:`sim.calibrate.data`). Without them these tests fail, naming where they looked.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim.calibrate.calibration import Calibration, calibrate
from sim.calibrate.data import BANK_LOG, shared_data
from sim.calibrate.logs import read_log
from sim.calibrate.writer import scenario_text
from sim.executors import Execution
from sim.runner import run_replications
from sim.scenario.load import build


def bank_log_path() -> Path:
    """The bank log, or a failure saying where it was looked for."""
    try:
        return shared_data(BANK_LOG)
    except FileNotFoundError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def cal() -> Calibration:
    return calibrate(read_log(bank_log_path()))


def test_the_log_reads_as_published(cal: Calibration) -> None:
    o = cal.observed
    assert o.attempts == 33_066 and cal.log.ignored == 278  # PHANTOM rows are not attempts
    assert o.abandon_rate == pytest.approx(0.179, abs=0.0005)
    assert o.asa_s == pytest.approx(40.8, abs=0.05)
    assert o.service_level == pytest.approx(0.597, abs=0.0005)
    assert o.talk_mean_s == pytest.approx(179.6, abs=0.05)
    assert o.daily_cv == pytest.approx(0.13, abs=0.005)


def test_chosen_talk_fit_keeps_the_mean_within_2_percent(cal: Calibration) -> None:
    for log_type, talk in cal.talk.items():
        dist = build_dist_mean(talk.scenario_dist())
        assert abs(dist / talk.sample_mean_s - 1) <= 0.02, (log_type, talk.chosen, talk.reason)
    pooled = cal.talk["*"]
    assert pooled.chosen == "gamma"  # the lognormal's ML mean is 17% too high
    assert pooled.fits["lognormal"].mean_s / pooled.sample_mean_s - 1 > 0.1


def build_dist_mean(raw: dict[str, object]) -> float:
    from sim.scenario.distributions import parse_dist

    return parse_dist(raw, "talk").mean


def test_redials_and_volume_match_the_published_figures(cal: Calibration) -> None:
    rd = cal.redial_abandon
    assert rd is not None
    assert rd.share_ci[0] <= 0.49 <= rd.share_ci[1]  # 49% call again within an hour
    assert 0.09 <= cal.arrivals.daily_cv <= 0.15
    assert cal.arrivals.daily_cv_ci[0] <= 0.13 <= cal.arrivals.daily_cv_ci[1]


@pytest.mark.slow
def test_trace_arrivals_with_the_fitted_staffing_reproduce_abandonment(cal: Calibration) -> None:
    """Abandonment close to the log's with the log's own arrivals and its staffing by date.

    The issue's goal is 1 point. Measured with per-caller draws and each date's own staffing
    the gap is +1.1 points (18.97% against 17.86%, 4 replications; ASA 40.8 s against the
    log's 40.8 s). docs/calibration.md shows the gap follows the staffing estimator's one free
    choice (the idle gap) rather than any fit, and that routing by skill estimated from the
    agent ids (``--skill-share``) leaves it at +1.1 to +1.3 points or raises it, and that the
    work-conserving staffing estimator, which has no free choice, overshoots to -3.2 points
    (its upper bound counts breaks taken while nobody waited); this test holds
    the model to 1.5 points so that a real regression still fails it, and the 1-point goal stays
    open.
    """
    sc = build(tomllib.loads(scenario_text(cal, "bank_trace", "trace")), file="bank_trace.toml")
    res = run_replications(sc, 4, execution=Execution.serial(), tables=())
    sim = np.mean(list(res.per_replication["abandon_rate"]))
    assert abs(sim - cal.observed.abandon_rate) <= 0.015, sim
    assert sc.staff.interval_by_date and len(sc.staff.interval_call_takers) == len(cal.dates)


@pytest.mark.parametrize("rows", [399, 1000, 5000])
def test_any_slice_of_the_log_writes_shares_that_sum_to_1(rows: int, tmp_path: Path) -> None:
    """Seven call types whose shares, written to 5 significant digits, once missed 1 by 1e-5
    (the first 399 calls): the file did not load. They are millionths that sum to 1 now.
    """
    lines = bank_log_path().read_text(encoding="utf-8").splitlines()[: rows + 1]
    part = tmp_path / "part.tsv"
    part.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = tomllib.loads(scenario_text(calibrate(read_log(part)), "part", "fitted"))
    shares = [t["share"] for t in raw["call_types"].values()]
    assert len(shares) > 1 and abs(sum(shares) - 1.0) < 1e-9
    build(raw, file="part.toml")  # it loads
