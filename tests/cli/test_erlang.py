"""``helpline erlang``: figures equal the library's; bad input is one line and exit code 2."""

from __future__ import annotations

import json
import math
import re

import pytest
from click.testing import CliRunner

from sim import analytic as an
from sim.cli import main

METRIC_KEYS = (
    "p_blocked",
    "p_wait",
    "p_abandon",
    "asa_s",
    "service_level",
    "service_level_offered",
    "wait_mean_s",
    "occupancy",
    "mean_queue",
    "offered_erl",
)


def run(*args: str):
    return CliRunner().invoke(main, ["erlang", *args])


def run_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_for_given_agents_equals_the_library() -> None:
    out = run_json(
        "--calls-per-hour", "120", "--talk-s", "240", "--after-call-s", "60",
        "--agents", "12", "--lines", "16", "--patience-s", "90", "--within-s", "15",
    )  # fmt: skip
    m = an.erlang_a_metrics(120 / 3600, 300.0, 12, 16, 90.0, 15.0)
    for key in METRIC_KEYS:
        assert out[key] == getattr(m, key), key
    assert out["agents"] == 12 and out["lines"] == 16
    assert out["handle_s"] == 300.0 and out["within_s"] == 15.0 and out["patience_s"] == 90.0
    assert "targets_met" not in out


def test_json_erlang_c_defaults() -> None:
    out = run_json("--calls-per-hour", "96", "--talk-s", "300", "--agents", "10")
    m = an.erlang_c_metrics(96 / 3600, 300.0, 10)
    assert out["p_wait"] == m.p_wait == an.erlang_c(10, 8.0)
    assert out["lines"] is None and out["patience_s"] is None and out["p_blocked"] == 0.0


def test_target_gives_the_minimum_agents() -> None:
    out = run_json("--calls-per-hour", "300", "--talk-s", "200", "--target-sl", "0.8")
    n = an.agents_for_target(300 / 3600, 200.0, target_service_level=0.8)
    assert out["agents"] == n and out["targets_met"] is True
    assert out["service_level"] == an.erlang_c_metrics(300 / 3600, 200.0, n).service_level
    assert out["target_service_level"] == 0.8


def test_redial_uses_erlang_x() -> None:
    out = run_json(
        "--calls-per-hour", "150", "--talk-s", "300", "--agents", "12", "--lines", "14",
        "--patience-s", "60", "--redial-prob", "0.4",
    )  # fmt: skip
    m = an.erlang_x_metrics(150 / 3600, 300.0, 12, 14, 60.0, 0.4, 0.4)
    for key in METRIC_KEYS:
        assert out[key] == pytest.approx(getattr(m, key), rel=1e-12), key
    assert out["attempts_per_hour"] > 150


def test_targets_with_redials_and_several_targets() -> None:
    out = run_json(
        "--calls-per-hour", "150", "--talk-s", "300", "--patience-s", "60", "--redial-prob",
        "0.4", "--target-abandon", "0.02", "--target-asa-s", "10",
    )  # fmt: skip
    n = an.agents_for_target(
        150 / 3600, 300.0, patience_s=60.0, target_abandon=0.02, target_asa_s=10.0,
        redial_prob_busy=0.4, redial_prob_abandon=0.4,
    )  # fmt: skip
    assert out["agents"] == n and out["targets_met"] is True


def test_human_table_has_units_and_is_aligned() -> None:
    args = ("--calls-per-hour", "100", "--talk-s", "240", "--after-call-s", "60", "--agents", "10")
    result = run(*args)
    assert result.exit_code == 0
    text = result.stdout
    for fragment in ("calls/h", "Erl", "% of attempts", "% of admitted", "s (answered calls)"):
        assert fragment in text
    assert "answered within 20 s" in text
    asa = an.erlang_c_metrics(100 / 3600, 300.0, 10).asa_s
    assert f"{asa:.2f} s" in text
    # every value ends in the same column (right-aligned), followed by its unit or the line end
    rows = text.splitlines()
    assert any(
        all(len(r) >= end and r[end - 1] != " " and (len(r) == end or r[end] == " ") for r in rows)
        for end in range(1, max(map(len, rows)) + 1)
    )


BAD = [
    (["--calls-per-hour", "100", "--talk-s", "-3", "--agents", "3"],
     "--talk-s must be > 0; got -3"),
    (["--calls-per-hour", "-1", "--talk-s", "3", "--agents", "3"], "--calls-per-hour must be >= 0"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--after-call-s", "-2", "--agents", "3"],
     "--after-call-s must be >= 0; got -2"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "0"],
     "--agents must be from 1 to 100,000; got 0"),
    # Erlang B's recursion is linear in the agents: a huge count would run for hours
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "100001"],
     "--agents must be from 1 to 100,000; got 100001"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "9" * 400],
     r"--agents must be from 1 to 100,000; got 999999999999\.\.\. \(400 digits\)"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "3", "--lines", "100001"],
     "--lines must be from 1 to 100,000; got 100001"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "4", "--lines", "3"],
     r"--lines must be >= --agents \(4\); got 3"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "4", "--patience-s", "0"],
     "--patience-s must be > 0; got 0"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "4", "--redial-prob", "2"],
     r"--redial-prob must be in \[0, 1\]; got 2"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--agents", "4", "--within-s", "-1"],
     "--within-s must be >= 0; got -1"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--target-sl", "1.5"], "--target-sl must be in"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--target-asa-s", "0"],
     "--target-asa-s must be > 0"),
    (["--calls-per-hour", "1", "--talk-s", "3", "--target-abandon", "-0.1"], "--target-abandon"),
    (["--calls-per-hour", "100", "--talk-s", "300", "--agents", "3"],
     r"--agents must be > the offered load \(8.333 Erl\) .*; got 3"),
    (["--calls-per-hour", "1", "--talk-s", "3"], "give --agents, or a target"),
    (["--calls-per-hour", "1", "--talk-s", "abc", "--agents", "2"], "'--talk-s'"),
    (["--talk-s", "3", "--agents", "2"], "Missing option '--calls-per-hour'"),
    (["--calls-per-hour", "1e6", "--talk-s", "300", "--agents", "100", "--patience-s", "1e9"],
     "give a finite lines"),
    (["--calls-per-hour", "500", "--talk-s", "300", "--agents", "30", "--patience-s", "60",
      "--redial-prob", "0.5", "--redial-delay-s", "300"], "--redial-delay-s needs --lines"),
    (["--calls-per-hour", "500", "--talk-s", "300", "--agents", "30", "--lines", "35",
      "--redial-prob", "0.5", "--redial-delay-s", "0"], "--redial-delay-s must be > 0; got 0"),
    (["--calls-per-hour", "500", "--talk-s", "300", "--agents", "30", "--lines", "35",
      "--redial-prob", "1", "--redial-delay-s", "60"],
     "--redial-prob must be < 1 with --redial-delay-s; got 1"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr.strip()
    assert "\n" not in err and err.startswith("error: ")
    assert "Traceback" not in result.output
    assert re.search(message, err), err


def test_patience_inf_means_no_abandonment() -> None:
    out = run_json(
        "--calls-per-hour", "96", "--talk-s", "300", "--agents", "10", "--patience-s", "inf"
    )
    assert out["patience_s"] is None and out["p_abandon"] == 0.0
    assert not math.isinf(out["asa_s"])


def test_redial_delay_adds_the_exact_retrial_queue_beside_erlang_x() -> None:
    args = ["--calls-per-hour", "500", "--talk-s", "300", "--agents", "30", "--lines", "35",
            "--patience-s", "120", "--redial-prob", "0.8"]  # fmt: skip
    plain = run_json(*args)
    doc = run_json(*args, "--redial-delay-s", "300")
    assert "exact_redials" not in plain
    assert {k: v for k, v in doc.items() if k != "exact_redials"} == plain  # Erlang X unchanged
    exact = an.retrial_metrics(500 / 3600, 300.0, 30, 35, 120.0, 0.8, 0.8, 300.0)
    got = doc["exact_redials"]
    assert got["redial_delay_s"] == 300.0
    for key in ("p_blocked", "p_abandon", "attempts_per_caller", "gave_up_rate", "occupancy"):
        assert got[key] == pytest.approx(getattr(exact, key), rel=1e-12), key
    # redials that come back while the centre is still busy: more blocking than Erlang X says
    assert got["p_blocked"] > plain["p_blocked"]
    text = run(*args, "--redial-delay-s", "300").stdout
    assert "exact, redials after 300 s:" in text and "attempts per caller" in text


def test_both_service_level_conventions_and_both_mean_waits() -> None:
    out = run_json(
        "--calls-per-hour", "300", "--talk-s", "180", "--agents", "16", "--lines", "20",
        "--patience-s", "120",
    )  # fmt: skip
    answered = (1 - out["p_blocked"]) * (1 - out["p_abandon"])
    assert out["service_level_offered"] == pytest.approx(out["service_level"] * answered)
    assert out["service_level_offered"] < out["service_level"]
    # Little's law over admitted attempts; abandoned ones wait too, so the mean exceeds ASA here
    lam_admitted = 300 / 3600 * (1 - out["p_blocked"])
    assert out["wait_mean_s"] == pytest.approx(out["mean_queue"] / lam_admitted)
    assert out["wait_mean_s"] > out["asa_s"]
    c = run_json("--calls-per-hour", "100", "--talk-s", "180", "--agents", "8")
    assert c["service_level_offered"] == c["service_level"]  # Erlang C: answered = offered
    assert c["wait_mean_s"] == c["asa_s"]
    text = run("--calls-per-hour", "300", "--talk-s", "180", "--agents", "16", "--lines", "20")
    assert "service level, offered" in text.output and "mean wait" in text.output
