"""The simulator against Erlang B, C and A: shipped cases, decision rule, negative control.

The statistical tests run the ``--quick`` validation once (module fixture, about half a minute on
2 cores) on the fixed replication block of each case's seed. Their tolerance is the
Bonferroni-corrected t interval of sim.verify.exact, never a hand-picked one, so with a correct
model they fail with probability below 1% for any change of code that changes the random draws,
and the same code always gives the same verdict.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from sim.analytic import erlang_a_metrics, erlang_b, erlang_c_metrics
from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario, variant
from sim.verify import exact as v

FAMILIES = ("Erlang B", "Erlang C", "Erlang A", "Erlang A, N lines")
LOADS = ("light", "medium", "heavy")


@pytest.fixture(scope="module")
def cases():
    return v.load_cases()


# --- the shipped cases are the queues they claim to be -------------------------------------------


def test_every_family_has_three_loads_and_c_spans_1_to_60(cases) -> None:
    by_family: dict[str, list[str]] = {}
    for sc in cases:
        q = v.queue_model(sc)
        by_family.setdefault(q.formula, []).append(sc.name.rsplit("_", 1)[1])
    # The language-menu and officers' cases are one point each on top of the four families.
    assert by_family.pop("Erlang B, talk + menu") == ["menu"]
    assert by_family.pop("Erlang A, officers") == ["officers"]
    assert {f: sorted(x) for f, x in by_family.items()} == {f: sorted(LOADS) for f in FAMILIES}
    agents = [v.queue_model(sc).agents for sc in cases]
    assert min(agents) == 1 and max(agents) == 60


def test_loads_rise_from_light_to_heavy(cases) -> None:
    load = {}
    for sc in cases:
        q = v.queue_model(sc)
        load[sc.name] = q.calls_per_s * q.talk_s / q.agents
    assert load["erlang_a_officers"] == pytest.approx(3.5 / 4)
    for family in ("erlang_b", "erlang_c", "erlang_a", "erlang_a_lines"):
        assert load[f"{family}_light"] < load[f"{family}_medium"] < load[f"{family}_heavy"]
    assert load["erlang_c_heavy"] == pytest.approx(0.98)
    assert load["erlang_b_heavy"] > 1 and load["erlang_a_heavy"] > 1


def test_menu_case_is_erlang_b_with_the_menu_in_the_holding_time(cases) -> None:
    """With menu time m and no queue the lines are Erlang B with holding time talk + m; a
    model whose menu did not hold the line would block far less (B(20, 16 Erl) = 6.4%).
    """
    q = v.queue_model(next(sc for sc in cases if sc.name == "erlang_b_menu"))
    assert q.menu_s == 60.0 and q.lines == q.agents == 20
    assert q.compared() == ("block_rate", "agent_occupancy")
    m = q.metrics()
    assert m["block_rate"] == pytest.approx(erlang_b(20, q.calls_per_s * 300.0), rel=1e-12)
    assert m["block_rate"] == pytest.approx(0.1589, abs=1e-4)
    assert erlang_b(20, q.calls_per_s * 240.0) < 0.07
    assert m["agent_occupancy"] == pytest.approx(0.6729, abs=1e-4)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"call_types.call.patience": {"dist": "exponential", "mean_s": 100}}, "patience"),
        ({"lines.count": 25}, "lines.count"),
    ],
)
def test_menu_case_needs_no_queue(change, key) -> None:
    sc = variant(load_scenario(v.CASES_DIR / "erlang_b_menu.toml"), change)
    with pytest.raises(ScenarioError, match=rf"{key}.*for a queueing-formula check"):
        v.queue_model(sc)


def test_patience_differs_from_talk_where_it_matters(cases) -> None:
    """With patience mean = talk mean every caller leaves at the same rate served or waiting, the
    number in system is that of M/M/inf and blocking does not depend on the agents: such a case
    could not catch a model that confuses waiting with service.
    """
    for sc in cases:
        q = v.queue_model(sc)
        assert q.patience_s != q.talk_s, sc.name


def test_formula_values_match_the_closed_forms(cases) -> None:
    by_name = {sc.name: v.queue_model(sc) for sc in cases}
    b = by_name["erlang_b_medium"]
    assert b.metrics()["block_rate"] == pytest.approx(erlang_b(20, 20.0), rel=1e-12)
    c = by_name["erlang_c_light"]  # M/M/1 at rho = 0.5: ASA = rho / (mu - lam) = talk
    assert c.metrics()["asa_s"] == pytest.approx(240.0, rel=1e-12)
    m = erlang_c_metrics(c.calls_per_s, c.talk_s, 1, 20.0)
    assert c.metrics()["service_level"] == pytest.approx(m.service_level, rel=1e-12)


def test_compared_metrics_follow_the_queue(cases) -> None:
    by_name = {sc.name: v.queue_model(sc) for sc in cases}
    assert by_name["erlang_b_light"].compared() == ("block_rate", "agent_occupancy")
    waits = ("asa_s", "service_level", "service_level_offered", "wait_mean_s")
    assert by_name["erlang_c_light"].compared() == (*waits, "agent_occupancy")
    assert by_name["erlang_a_light"].compared() == ("abandon_rate", *waits, "agent_occupancy")
    assert len(by_name["erlang_a_lines_light"].compared()) == 7


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"arrivals.daily_cv": 0.1}, "arrivals.daily_cv"),
        ({"call_types.call.after_call": 30}, "call_types.call.after_call"),
        ({"call_types.call.talk": {"dist": "lognormal", "mean_s": 240, "cv": 1}}, "talk"),
        ({"call_types.call.redial": {"after_busy": 0.5}}, "call_types.call.redial"),
        ({"call_types.call.escalation_share": 0.1, "staff.headcount.escalation": [1]}, "escal"),
        ({"horizon.end": "cut"}, "horizon.end"),
        ({"staff.breaks": [{"after_h": 2, "duration_min": 15}]}, "staff.breaks"),
    ],
)
def test_queue_model_names_what_departs_from_the_queue(change, key) -> None:
    sc = variant(load_scenario(v.CASES_DIR / "erlang_b_light.toml"), change)
    with pytest.raises(ScenarioError, match=rf"{key}.*for a queueing-formula check"):
        v.queue_model(sc)


def test_baseline_is_not_a_formula_case() -> None:
    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2023.toml")
    with pytest.raises(ScenarioError, match=r"arrivals\.mode: must be \"constant\""):
        v.queue_model(sc)


def test_quick_keeps_the_warmup_and_a_fifth_of_the_window() -> None:
    sc = load_scenario(v.CASES_DIR / "erlang_c_heavy.toml")
    q = v.quick(sc)
    assert q.horizon.replications == v.QUICK_REPLICATIONS
    assert q.horizon.warmup_days == sc.horizon.warmup_days
    measured = sc.horizon.days - sc.horizon.warmup_days
    assert q.horizon.days - q.horizon.warmup_days == pytest.approx(measured / 5)
    assert q.horizon.seed == sc.horizon.seed


# --- the decision rule ---------------------------------------------------------------------------


def _values_with_p(p: float, n: int = 20) -> np.ndarray:
    """N values whose one-sample t test against 0 has two-sided p-value p exactly."""
    z = np.linspace(-1, 1, n)
    z = (z - z.mean()) / z.std(ddof=1)
    t = stats.t.isf(p / 2, n - 1)
    return z + t / math.sqrt(n)


def test_bonferroni_lets_a_one_percent_miss_pass_in_a_family_but_not_alone() -> None:
    x = _values_with_p(0.005)
    alone = v.decide([{"case": "x", "model": "m", "metric": "asa_s", **v.one_sample(x, 0.0)}])
    assert alone["p_value"].iloc[0] == pytest.approx(0.005)
    assert not alone["agree"].iloc[0]  # 0.005 < 0.01 / 1
    row = {"case": "x", "model": "m", "metric": "asa_s", **v.one_sample(x, 0.0)}
    family = v.decide([row] * 10)  # 0.005 > 0.01 / 10
    assert family["agree"].all()
    # the verdict interval is the (1 - 0.01/K) t interval of the difference
    half = stats.t.ppf(1 - 0.01 / 20, 19) * x.std(ddof=1) / math.sqrt(20)
    assert family["diff_hi"].iloc[0] - family["diff_lo"].iloc[0] == pytest.approx(2 * half)
    # the 99% CI shown is the plain one
    shown = stats.t.ppf(0.995, 19) * x.std(ddof=1) / math.sqrt(20)
    assert family["half_width"].iloc[0] == pytest.approx(shown)


def test_rows_without_spread_agree_only_when_equal() -> None:
    same = {"case": "x", "model": "m", "metric": "block_rate"}
    df = v.decide(
        [
            {**same, **v.one_sample([0.25] * 5, 0.25)},
            {**same, **v.one_sample([0.25] * 5, 0.2500001)},
        ]
    )
    assert df["agree"].tolist() == [True, False]


def test_a_share_never_seen_is_judged_by_its_exact_binomial_bound() -> None:
    # No call blocked in 10 replications of 10,000 attempts each: a formula p of 1e-8 is what
    # one would expect to see 0 times; a p of 1e-3 would have given about 100 blocked calls.
    same = {"case": "x", "model": "m", "metric": "block_rate"}
    n = 100_000
    rows = [
        {**same, **v.one_sample([0.0] * 10, 1e-8, n)},
        {**same, **v.one_sample([0.0] * 10, 1e-3, n)},
        {**same, **v.one_sample([1.0] * 10, 1 - 1e-8, n)},  # every answer within target
        {**same, **v.one_sample([1.0] * 10, 0.99, n)},
        {**same, **v.one_sample([0.0] * 10, 1e-8)},  # trials unknown: exact equality only
    ]
    df = v.decide(rows)
    assert df["agree"].tolist() == [True, False, True, False, False]
    # the bound: seeing none of n events has probability (1 - p)^n; two-sided, Bonferroni K = 5
    p_max = 1 - (0.01 / 5 / 2) ** (1 / n)
    assert df["diff_hi"].iloc[0] == pytest.approx(p_max - 1e-8)
    assert df["p_value"].iloc[0] == pytest.approx(min(1.0, 2 * (1 - 1e-8) ** n))
    edge = v.decide([{**same, **v.one_sample([0.0] * 10, p_max * 0.99, n)}] * 5)
    assert edge["agree"].all()
    edge = v.decide([{**same, **v.one_sample([0.0] * 10, p_max * 1.01, n)}] * 5)
    assert not edge["agree"].any()


def test_formula_rows_count_the_trials_behind_each_share() -> None:
    sc = v.load_cases()[0]  # any formula case
    q = v.queue_model(sc)
    runs = [
        {
            "attempts": 100,
            "answered": 90,
            "abandoned": 5,
            "blocked": 5,
            **dict.fromkeys(q.compared(), 0.0),
        }
    ] * 3
    rows = v.formula_rows([sc], {(v.SIM, sc.name): runs})
    trials = {r["metric"]: r["_trials"] for r in rows}
    expect = {
        "block_rate": 300,
        "abandon_rate": 285,
        "service_level": 270,
        "service_level_offered": 300,
    }
    assert trials == {m: expect.get(m, 0) for m in q.compared()}


def test_welch_interval_matches_scipy() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(0, 1, 15), rng.normal(0.3, 2, 25)
    row = v.two_sample(a, b)
    ref = stats.ttest_ind(a, b, equal_var=False)
    df = v.decide([{"case": "x", "model": "m", "metric": "asa_s", **row}])
    assert df["p_value"].iloc[0] == pytest.approx(ref.pvalue, rel=1e-10)


# --- the simulation agrees with the formulas (slow) ----------------------------------------------


@pytest.fixture(scope="module")
def quick_results(cases):
    scs = [v.quick(sc) for sc in cases]
    return scs, v.run_cases([(v.SIM, sc) for sc in scs])


@pytest.mark.slow
def test_every_case_agrees_with_its_formula(quick_results) -> None:
    scs, results = quick_results
    table = v.decide(v.formula_rows(scs, results))
    bad = table[~table["agree"]]
    assert bad.empty, bad[["case", "metric", "formula", "sim_mean", "diff_lo", "diff_hi"]]
    # four families of three, the menu case and the officers' case
    assert len(table) == 3 * (2 + 5 + 6 + 7) + 2 + 3
    for family in FAMILIES:
        assert table["model"].str.endswith(f"({family})").sum() > 0
    # every compared metric was measured in every replication: the check is not vacuous
    assert (table["replications"] == v.QUICK_REPLICATIONS).all()
    assert table["half_width"].gt(0).all()


@pytest.mark.slow
def test_full_validation_agrees_with_every_formula(cases) -> None:
    """The full run of `helpline validate` (every case at its shipped length and replications,
    Ciw left to its own test): the tight intervals of docs/validation.md, not the quick ones.
    """
    scs = list(cases)
    results = v.run_cases([(v.SIM, sc) for sc in scs])
    table = v.decide(v.formula_rows(scs, results))
    bad = table[~table["agree"]]
    assert bad.empty, bad[["case", "metric", "formula", "sim_mean", "diff_lo", "diff_hi"]]
    assert len(table) == 3 * (2 + 5 + 6 + 7) + 2 + 3  # the families, menu and officers' cases
    # the full intervals are tight: within 10% of the value for every waiting-time row
    waits = table[table["metric"] == "asa_s"]
    assert (waits["rel_half_width"] < 0.10).all(), waits[["case", "rel_half_width"]]


@pytest.mark.slow
def test_negative_control_wrong_agents_disagree(quick_results) -> None:
    """The same simulations against the formula for 10% more agents (at least one more) must
    disagree in every case: the check has the power to catch a wrong model.
    """
    scs, results = quick_results
    table = v.decide(v.formula_rows(scs, results, lambda c: c + max(1, math.ceil(0.1 * c))))
    caught = table.groupby("case")["agree"].apply(lambda s: (~s).any())
    assert caught.all(), caught[~caught]


@pytest.mark.slow
def test_negative_control_one_agent_more_is_caught_for_small_teams(quick_results) -> None:
    scs, results = quick_results
    small = [sc for sc in scs if v.queue_model(sc).agents <= 20]
    table = v.decide(v.formula_rows(small, results, lambda c: c + 1))
    caught = table.groupby("case")["agree"].apply(lambda s: (~s).any())
    assert caught.all(), caught[~caught]


def test_cli_reports_and_sets_the_exit_code(tmp_path) -> None:
    """Two cheap cases through the command: one row per metric and exit code 0; a case that is
    not the queue of its formula is bad input: one line naming the key, exit code 2.
    """
    for name in ("erlang_b_light", "erlang_a_lines_light"):
        (tmp_path / f"{name}.toml").write_text((v.CASES_DIR / f"{name}.toml").read_text())
    result = CliRunner().invoke(main, ["validate", "--quick", "--cases", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["comparisons"] == 9 and doc["disagree"] == 0
    assert {r["case"] for r in doc["rows"]} == {"erlang_b_light", "erlang_a_lines_light"}
    text = CliRunner().invoke(main, ["validate", "--quick", "--cases", str(tmp_path)])
    assert text.exit_code == 0 and "All 9 agree." in text.output

    bad = tmp_path / "erlang_b_light.toml"
    bad.write_text(bad.read_text().replace('end = "drain"', 'end = "cut"'))
    result = CliRunner().invoke(main, ["validate", "--quick", "--cases", str(tmp_path)])
    assert result.exit_code == 2
    assert 'horizon.end: must be "drain" for a queueing-formula check' in result.output


def test_cli_exits_1_when_a_row_disagrees(monkeypatch, tmp_path) -> None:
    (tmp_path / "erlang_b_light.toml").write_text((v.CASES_DIR / "erlang_b_light.toml").read_text())
    real = v.QueueModel.metrics

    def wrong(self, agents=None):  # the formula for one agent more
        return real(self, self.agents + 1)

    monkeypatch.setattr(v.QueueModel, "metrics", wrong)
    result = CliRunner().invoke(main, ["validate", "--quick", "--cases", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "DISAGREE" in result.output


def test_erlang_a_formula_is_the_chain_the_cases_rely_on() -> None:
    """Sanity of the reference itself on one case: lines = agents gives Erlang B."""
    m = erlang_a_metrics(37.5 / 3600, 240.0, 5, 5, math.inf, 20.0)
    assert m.p_blocked == pytest.approx(erlang_b(5, 2.5), rel=1e-12)
