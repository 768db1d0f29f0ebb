"""Every metric is either printed by ``helpline run`` (``SHOWN``) or deliberately hidden."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from sim.cli.run import render_summary
from sim.metrics import HIDDEN, METRICS, SHOWN, shown_metrics


def every_metric() -> pd.DataFrame:
    """A summary table with every metric at 1.0 (95% CI 0.5 to 1.5)."""
    return pd.DataFrame(
        {
            "metric": list(METRICS),
            "mean": 1.0,
            "ci95_lo": 0.5,
            "ci95_hi": 1.5,
            "unit": [u for u, _ in METRICS.values()],
        }
    )


def test_every_metric_is_shown_or_hidden_never_both_never_twice() -> None:
    shown = shown_metrics()
    twice = [m for m, n in Counter(shown).items() if n > 1]
    assert not twice, twice
    assert not set(shown) & set(HIDDEN)
    assert set(shown) | set(HIDDEN) == set(METRICS), set(METRICS) ^ (set(shown) | set(HIDDEN))
    assert all(reason.strip() for reason in HIDDEN.values())


def test_the_printed_summary_has_every_shown_metric_and_no_hidden_one() -> None:
    summary = every_metric()
    text = render_summary(summary, "s", 2, 3, 1)
    words = {line.split()[0] for line in text.splitlines() if line.startswith("  ")}
    assert words == set(shown_metrics())
    for title in SHOWN:
        assert f"\n{title}\n" in text


def test_a_section_without_any_value_is_left_out_and_a_partly_empty_one_kept() -> None:
    title, names = next(iter(SHOWN.items()))
    summary = pd.DataFrame(
        {
            "metric": list(METRICS),
            "mean": [float("nan") if m in names else 1.0 for m in METRICS],
            "ci95_lo": 0.5,
            "ci95_hi": 1.5,
            "unit": [u for u, _ in METRICS.values()],
        }
    )
    text = render_summary(summary, "s", 2, 3, 1)
    assert f"\n{title}\n" not in text
    assert all(f"  {m} " not in text for m in names)
    summary.loc[summary["metric"] == names[0], "mean"] = 1.0
    text = render_summary(summary, "s", 2, 3, 1)
    assert f"\n{title}\n" in text and "n/a" in text


def test_every_printed_interval_starts_in_the_same_column() -> None:
    summary = every_metric()
    text = render_summary(summary, "s", 2, 3, 1)
    starts = {line.index("(95% CI") for line in text.splitlines() if "(95% CI" in line}
    assert len(starts) == 1, starts


def test_a_metric_without_a_value_prints_n_a_and_no_unit() -> None:
    summary = every_metric()
    name = next(m for m in shown_metrics() if METRICS[m][0] not in ("share", ""))
    summary.loc[summary["metric"] == name, ["mean", "ci95_lo", "ci95_hi"]] = float("nan")
    line = next(x for x in render_summary(summary, "s", 2, 3, 1).splitlines() if f"  {name} " in x)
    assert line.split()[1:] == ["n/a"], line
