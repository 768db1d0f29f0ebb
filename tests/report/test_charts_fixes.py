"""The run's charts: a wait chart that says when nobody waited, and a reporting-delay chart
split by stage whose never-registered share is the summary's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests_paths import SCENARIOS

from sim.core.model import simulate
from sim.metrics import summarize
from sim.report import charts
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def scam_runs() -> tuple:
    sc = load_scenario(SCENARIOS / "scam_wave.toml")
    recs = [simulate(sc, i) for i in range(3)]
    return sc, recs


def _texts(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_wait_chart_says_nobody_waited(scam_runs: tuple) -> None:
    sc, recs = scam_runs
    a = pd.concat([r.attempts for r in recs], ignore_index=True)
    waited = charts.wait_distribution(a, sc)
    assert "Nobody waited" not in _texts(waited) and waited.axes[0].lines[0].get_xdata().size > 1
    calm = a.assign(wait_s=np.where(a["outcome"] == "answered", 0.0, a["wait_s"]))
    fig = charts.wait_distribution(calm, sc)
    n = int((calm["in_window"] & (calm["outcome"] == "answered")).sum())
    assert f"Nobody waited: all {n:,} answered attempts" in _texts(fig)


def test_reporting_delay_splits_the_stages_and_uses_the_summary_share(scam_runs: tuple) -> None:
    sc, recs = scam_runs
    callers = pd.concat([r.callers for r in recs], ignore_index=True)
    per_rep = np.mean([summarize(r)["not_registered_share"] for r in recs])
    assert charts.not_registered_share(callers) == pytest.approx(per_rep, rel=1e-12)
    fig = charts.reporting_delay_distribution(callers, sc)
    ax = fig.axes[0]
    assert f"{per_rep:.1%} of complaint callers never registered" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for stage in ("victim delay", "access", "handling", "registered", "golden hour"):
        assert any(stage in x for x in labels), (stage, labels)
    # the bands stack: dialled >= answered >= registered at every instant
    tops = [c.get_paths()[0].vertices[:, 1].max() for c in ax.collections]
    assert tops == sorted(tops, reverse=True)
