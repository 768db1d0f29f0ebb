"""``sim.verify.theory`` and ``helpline theory``: formula inputs, hourly rows, chart, notes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.analytic import erlang_c_metrics, mol_metrics, sipp
from sim.cli import main
from sim.executors import Execution
from sim.scenario import load_scenario, variant
from sim.verify import theory as th

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCENARIOS / "baseline_2023.toml")


@pytest.fixture(scope="module")
def volume_2025(baseline):
    path = SCENARIOS / "volume_2025.toml"
    if path.is_file():
        return load_scenario(path)
    return variant(baseline, {"arrivals.callers_per_day": 7000})


def short(sc, days: float = 3, reps: int = 2):
    return variant(sc, {"horizon.days": days, "horizon.replications": reps})


# --- inputs ------------------------------------------------------------------------------------


def test_hourly_rate_is_the_profile_share_of_the_day(baseline) -> None:
    baseline = variant(baseline, {"arrivals.day_of_week": [1.0] * 7})  # weekdays: elsewhere
    rate = th.hourly_callers_per_s(baseline) * 3600
    weights = np.asarray(baseline.arrivals.profile)
    assert rate.sum() == pytest.approx(baseline.arrivals.callers_per_day)
    assert rate == pytest.approx(1500 * weights / weights.sum())


def test_half_hour_and_three_hour_profiles_are_integrated_by_hour(baseline) -> None:
    baseline = variant(baseline, {"arrivals.day_of_week": [1.0] * 7})  # weekdays: elsewhere
    half = variant(baseline, {"arrivals.profile": [1.0] * 20 + [3.0] * 28})  # 00:00-10:00 low
    rate = th.hourly_callers_per_s(half) * 3600
    assert rate[:10] == pytest.approx([2 * 1500 / 104] * 10)  # two half-hours of weight 1
    assert rate[10:] == pytest.approx([6 * 1500 / 104] * 14)
    coarse = variant(baseline, {"arrivals.profile": [1.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]})
    rate = th.hourly_callers_per_s(coarse) * 3600
    assert rate[:9] == pytest.approx([1500 / 12, 1500 / 12, 1500 / 12] + [1500 / 6] * 3 + [125] * 3)
    assert rate[9:] == pytest.approx([0.0] * 15)


def test_handle_and_patience_are_the_mix_means(baseline) -> None:
    # complaint 20%: talk 17 min + 10% x 8 min escalation + 2 min after-call work;
    # other 50%: 3 min + 30 s; blank 30%: 20 s
    expected = 0.2 * (1020 + 48 + 120) + 0.5 * (180 + 30) + 0.3 * 20
    assert th.mean_handle_s(baseline) == pytest.approx(expected)
    # lognormal mean = median x exp(log_sd^2 / 2)
    e = math.exp(0.5)
    assert th.mean_patience_s(baseline) == pytest.approx(60 * e * (0.2 * 8 + 0.5 * 3 + 0.3 * 1))
    no_patience = variant(baseline, {"call_types.blank.patience": "inf"})
    assert math.isinf(th.mean_patience_s(no_patience))


def test_unknown_rate_is_refused(baseline) -> None:
    with pytest.raises(ValueError, match="rate must be one of callers, attempts; got 'calls'"):
        th.theory(baseline, rate="calls", facts=None)


# --- the table ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_theory(baseline):
    return th.theory(short(baseline))


def test_baseline_gives_24_hours_with_every_column(baseline_theory, baseline) -> None:
    t = baseline_theory.table
    assert len(t) == 24 and t["hour"].tolist() == list(range(24))
    for m in th.METRIC_FROM_ANALYTIC.values():
        for prefix in (*th.METHODS, "sim"):
            assert f"{prefix}_{m}" in t
        assert f"sim_{m}_lo" in t and f"sim_{m}_hi" in t
    assert (t["agents"] >= 1).all() and (t["agents"] <= baseline.lines).all()
    assert baseline_theory.replications == 2


def test_formula_columns_are_the_analytic_functions(baseline_theory, baseline) -> None:
    """The table's formula columns are sim.analytic's, fed with the documented inputs."""
    t = baseline_theory.table
    rates = t["formula_calls_per_h"].to_numpy() / 3600
    kw = {
        "handle_s": baseline_theory.handle_s,
        "agents": t["agents"].to_numpy(),
        "interval_s": 3600.0,
        "lines": baseline.lines,
        "patience_s": baseline_theory.patience_s,
        "within_s": 20.0,
    }
    assert t["sipp_abandon_rate"].to_numpy() == pytest.approx(sipp(rates, **kw)["p_abandon"])
    lag = sipp(rates, **kw, lag_s=baseline_theory.handle_s)
    assert t["lagged_service_level"].to_numpy() == pytest.approx(lag["service_level"])
    assert t["mol_block_rate"].to_numpy() == pytest.approx(mol_metrics(rates, **kw)["p_blocked"])
    assert t["formula_calls_per_h"].to_numpy() == pytest.approx(t["callers_per_h"].to_numpy())


def test_stationary_queue_all_methods_equal_erlang_c() -> None:
    """On an M/M/c case the load is constant: SIPP, lagged SIPP and MOL all give Erlang C, and
    no note blames redials, after-call work, staff changes or lines.
    """
    sc = short(
        load_scenario(SCENARIOS.parent / "sim" / "verify" / "cases" / "erlang_c_medium.toml"), 2, 2
    )
    out = th.theory(sc)
    m = erlang_c_metrics(127.5 / 3600, 240.0, 10, 20.0)
    for method in th.METHODS:
        assert out.table[f"{method}_service_level"].to_numpy() == pytest.approx(m.service_level)
        assert out.table[f"{method}_asa_s"].to_numpy() == pytest.approx(m.asa_s)
    assert (out.table["agents"] == 10).all()
    joined = " ".join(out.notes)
    for word in ("Redials", "After-call", "Staff on duty", "Lines", "Time-varying"):
        assert word not in joined


def test_rate_attempts_feeds_the_simulated_attempts(volume_2025) -> None:
    facts = th.simulate_hours(short(volume_2025, 2, 1), Execution.serial())
    by_callers = th.theory(volume_2025, facts=facts)
    by_attempts = th.theory(volume_2025, rate="attempts", facts=facts)
    t = by_attempts.table
    assert t["formula_calls_per_h"].to_numpy() == pytest.approx(t["attempts_per_h"].to_numpy())
    assert t["attempts_per_h"].sum() > 1.1 * t["sim_callers_per_h"].sum()  # redials in 2025
    # more offered attempts: the formulas predict more blocking than from first dials alone
    assert t["mol_block_rate"].sum() > by_callers.table["mol_block_rate"].sum()
    joined = " ".join(by_callers.notes)
    assert "Redials" in joined and "Lines: 30 lines block" in joined and "After-call" in joined


# --- the command -------------------------------------------------------------------------------


def test_cli_on_baseline_prints_24_hours_and_writes_a_png(tmp_path) -> None:
    out = tmp_path / "theory"
    args = ["theory", str(SCENARIOS / "baseline_2023.toml"), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--days", "3", "-r", "2"])
    assert result.exit_code == 0, result.output
    hour_lines = [ln for ln in result.output.splitlines() if ln[:4].strip().isdigit()]
    assert [int(ln[:4]) for ln in hour_lines] == list(range(24))
    png = out / "theory_by_hour.png"
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert len((out / "theory_by_hour.csv").read_text().splitlines()) == 25
    assert "Why they differ:" in result.output


def test_cli_json(tmp_path, volume_2025) -> None:
    path = SCENARIOS / "volume_2025.toml"
    if not path.is_file():
        pytest.skip("scenarios/volume_2025.toml not shipped")
    args = ["theory", str(path), "--out", str(tmp_path), "--days", "2", "-r", "1", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["scenario"] == "volume_2025" and doc["rate"] == "callers"
    assert len(doc["hours"]) == 24 and doc["lines"] == 30
    assert any(n.startswith("Redials") for n in doc["notes"])
    assert (tmp_path / "theory_by_hour.png").is_file()


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path) -> None:
    result = CliRunner().invoke(main, ["theory", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    result = CliRunner().invoke(
        main, ["theory", str(SCENARIOS / "baseline_2023.toml"), "--workers", "0"]
    )
    assert result.exit_code == 2 and "--workers" in result.output


def test_skill_groups_get_a_note_one_pool_none() -> None:
    """The formulas pool every call-taker; with two skill groups or more a note says so."""
    from dataclasses import replace

    from sim.scenario.values import StaffGroup

    sc = short(
        load_scenario(SCENARIOS.parent / "sim" / "verify" / "cases" / "erlang_c_medium.toml"), 2, 2
    )
    out = th.theory(sc)
    assert not any(n.startswith("Skill groups") for n in th.notes(out))
    one = (StaffGroup("all", ("a",), ((10,),)),)
    two = (StaffGroup("bank", ("a",), ((6,),)), StaffGroup("upi", ("b",), ((4,),)))
    for groups, noted in ((one, False), (two, True)):
        grouped = replace(out, scenario=replace(sc, staff=replace(sc.staff, groups=groups)))
        found = [n for n in th.notes(grouped) if n.startswith("Skill groups")]
        assert bool(found) == noted
    assert "2 groups (bank, upi)" in found[0]
