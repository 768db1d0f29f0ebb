"""On a log generated from known parameters, the fits' 95% intervals cover the truth.

The log (tests/calibrate/synthetic_log.py): 14 days of Poisson arrivals with a known half-hour
profile, lognormal talk, exponential patience censored by independent offered waits.
"""

from __future__ import annotations

import math
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_log import Truth, write_log

from sim.calibrate.calibration import Calibration, calibrate
from sim.calibrate.logs import read_log
from sim.calibrate.writer import scenario_text
from sim.scenario.load import build

TRUTH = Truth()


@pytest.fixture(scope="module")
def cal(tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    path = tmp_path_factory.mktemp("log") / "synthetic.csv"
    write_log(path, TRUTH)
    return calibrate(read_log(path, "csv"))


def test_talk_lognormal_interval_covers_the_truth(cal: Calibration) -> None:
    talk = cal.talk["web"]
    fit = talk.fits["lognormal"]
    lo, hi = fit.ci["log_mu"]
    assert lo <= TRUTH.talk_log_mu <= hi, (lo, hi)
    lo, hi = fit.ci["log_sd"]
    assert lo <= TRUTH.talk_log_sd <= hi, (lo, hi)
    true_mean = math.exp(TRUTH.talk_log_mu + TRUTH.talk_log_sd**2 / 2)
    assert fit.mean_ci_s[0] <= true_mean <= fit.mean_ci_s[1]
    assert talk.chosen == "lognormal"  # the true family fits better than the gamma


def test_patience_exponential_interval_covers_the_truth(cal: Calibration) -> None:
    [ct] = cal.types
    p = ct.patience
    assert p is not None
    assert p.p_zero == 0.0  # nobody hangs up at the very start of a wait
    lo, hi = p.fits["exponential"].mean_ci_s
    assert lo <= TRUTH.patience_mean_s <= hi, (lo, hi)
    # the Kaplan-Meier band holds the true survival at its median
    t = TRUTH.patience_mean_s * math.log(2)
    k = int(np.searchsorted(p.km_t_s, t, side="right")) - 1
    assert p.km_lo[k] <= 0.5 <= p.km_hi[k]


def test_arrival_volume_and_profile_cover_the_truth(cal: Calibration) -> None:
    a = cal.arrivals
    lo, hi = a.callers_per_day_ci
    assert lo <= TRUTH.callers_per_day <= hi
    assert a.daily_cv_ci[0] == 0.0  # no day-to-day variation beyond Poisson was put in
    band_lo, band_hi = a.profile_ci()
    open_slots = TRUTH.profile > 0
    inside = (band_lo <= TRUTH.profile) & (TRUTH.profile <= band_hi)
    assert inside[open_slots].mean() >= 0.9
    assert a.counts.sum(axis=0)[~open_slots].sum() == 0


def test_the_written_scenario_loads(cal: Calibration) -> None:
    for mode in ("fitted", "trace", "bootstrap"):
        text = scenario_text(cal, "synthetic", mode)
        sc = build(tomllib.loads(text), file="synthetic.toml")
        assert [t.name for t in sc.call_types] == ["web"]
        if mode == "fitted":  # every fitted key says where it came from
            for key in ("callers_per_day", "profile", "daily_cv", "talk", "patience"):
                before = text.split(f"\n{key} = ")[0].rsplit("\n", 1)[-1]
                assert before.startswith("# fitted from synthetic.csv"), key
