"""Hostile and careless scenario files: every one is the project's one-line error, never a crash.

One test (or one parametrised case) per defect class of issue 16: values beyond float range,
deep nesting and long ``extends`` chains, messages that must stay one honest line, surge
starts with a UTC offset, sizes beyond the ``[limits]``, distributions whose draws would not be
finite or would not have their stated mean, and redials that never let the clock move.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sim.errors import ScenarioError
from sim.scenario.load import apply_changes, build, load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = tomllib.loads((ROOT / "scenarios" / "baseline_2023.toml").read_text(encoding="utf-8"))


def rejected(changes: dict[str, Any], raw: dict[str, Any] | None = None) -> ScenarioError:
    """The error the baseline with ``changes`` gives (it must give one, on one line)."""
    raw = apply_changes(copy.deepcopy(BASELINE if raw is None else raw), changes)
    with pytest.raises(ScenarioError) as info:
        build(raw, file="x.toml")
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message, message
    assert message.startswith("x.toml: "), message
    return info.value


TALK = "call_types.complaint.talk"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"lines.count": 10**400}, "lines.count"),
        ({"horizon.seed": -(10**400)}, "horizon.seed"),
        ({"arrivals.profile": [1] * 23 + [10**400]}, "arrivals.profile"),
        ({TALK: 10**400}, TALK),
        ({TALK: {"dist": "exponential", "mean_min": 10**400}}, f"{TALK}.mean_min"),
        ({TALK: {"dist": "empirical", "samples_s": [1, 10**400]}}, f"{TALK}.samples_s"),
        # finite in their unit, infinite in seconds
        ({TALK: {"dist": "uniform", "low_h": 0, "high_h": 1e308}}, f"{TALK}.high_h"),
        ({TALK: {"dist": "empirical", "samples_h": [1e307]}}, f"{TALK}.samples_h"),
        ({"money.held_decay_h": 1e308}, "money.held_decay_h"),
        ({"targets.golden_hour_min": 1e308}, "targets.golden_hour_min"),
        ({"arrivals.surges": [{"start_h": 1e307, "duration_h": 1, "multiplier": 2}]}, None),
        ({"arrivals.surges": [{"start_h": 1, "duration_h": 1e307, "multiplier": 2}]}, None),
        ({"staff.breaks": [{"after_h": 1e307, "duration_min": 30}]}, "staff.breaks[0].after_h"),
    ],
)
def test_numbers_beyond_float_range_or_infinite_in_seconds(changes: dict, key: str | None) -> None:
    err = rejected(changes)
    if key is not None:
        assert err.key == key


def test_days_infinite_in_seconds_is_a_limit_error() -> None:
    err = rejected({"horizon.days": 1e308})
    assert err.key == "horizon.days" and "limits.days" in str(err)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_deeply_nested_arrays_and_tables(tmp_path: Path) -> None:
    for text in (
        "x = " + "[" * 1000 + "]" * 1000 + "\n",
        "x = " + "{a = " * 1000 + "1" + "}" * 1000 + "\n",
        "x = " + "[" * 100 + "]" * 100 + "\n",  # readable, then too deep to validate
    ):
        path = _write(tmp_path / "deep.toml", text)
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        assert "nested" in str(info.value) and "\n" not in str(info.value)


def test_deep_mixture_nesting_is_an_error_naming_the_key() -> None:
    dist: dict[str, Any] = {"dist": "exponential", "mean_min": 3}
    for _ in range(1000):
        dist = {"dist": "mixture", "components": [{"weight": 1, **dist}]}
    err = rejected({TALK: dist})
    assert err.key.startswith(TALK) and "24 levels" in err.allowed


def test_long_extends_chain(tmp_path: Path) -> None:
    for i in range(1000):
        _write(tmp_path / f"f{i}.toml", f'extends = "f{i + 1}.toml"\n')
    _write(tmp_path / "f1000.toml", (ROOT / "scenarios" / "baseline_2023.toml").read_text())
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "f0.toml")
    assert info.value.key == "extends" and "at most 32" in info.value.allowed


def test_extends_chain_within_the_limit_loads(tmp_path: Path) -> None:
    for i in range(31):
        _write(tmp_path / f"f{i}.toml", f'extends = "f{i + 1}.toml"\n')
    _write(tmp_path / "f31.toml", (ROOT / "scenarios" / "baseline_2023.toml").read_text())
    assert load_scenario(tmp_path / "f0.toml").name == "f0"


@pytest.mark.parametrize(
    "target",
    ["a" * 5000 + ".toml", "x/" * 3000 + "y.toml", "../" * 2000 + "etc/passwd", "/etc/passwd"],
)
def test_over_long_or_non_toml_extends_path(tmp_path: Path, target: str) -> None:
    path = _write(tmp_path / "child.toml", f'extends = "{target}"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.key == "extends"
    assert len(str(info.value)) < 400


def test_over_long_scenario_path_is_a_file_error() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("a" * 5000 + ".toml")
    assert info.value.key == "file" and len(str(info.value)) < 600


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"a\nb": 1}, '"a\\nb"'),
        ({"\x1b[31mred": 1}, '"\\u001b[31mred"'),
        ({"": 1}, '"": must be a known key'),
        ({"call_types.complaint.x.y": 1}, "call_types.complaint.x"),
        ({"call_types.complaint": {"talk": 60, "share": 0.2, "a.b": 1}}, 'complaint."a.b"'),
    ],
)
def test_keys_are_quoted_and_escaped(changes: dict, shown: str) -> None:
    assert shown in str(rejected(changes))


def test_a_value_starting_with_lt_is_quoted_not_a_placeholder() -> None:
    fake = "<Traceback (most recent call last)>"
    message = str(rejected({"horizon.days": fake}))
    assert f"got {fake!r}" in message
    # the program's own placeholders stay unquoted
    assert "got <missing>" in str(rejected({}, _no_share()))


def _no_share() -> dict[str, Any]:
    raw = copy.deepcopy(BASELINE)
    del raw["call_types"]["complaint"]["share"]
    return raw


def test_long_values_are_cut() -> None:
    message = str(rejected({"horizon.days": "x" * 1_000_000}))
    assert len(message) < 400 and "1,000,002 characters" in message


def test_a_value_with_newlines_stays_on_one_line() -> None:
    message = str(rejected({"scenario.name": "a\nb\x1b[2J", "horizon.days": "1\n2"}))
    assert "'1\\n2'" in message


@pytest.mark.parametrize(
    "start",
    ["2023-07-05T13:00:00+05:30", "2023-07-05T13:00:00Z"],
)
def test_surge_start_with_a_utc_offset_is_rejected(start: str) -> None:
    import datetime as dt

    for value in (start, dt.datetime.fromisoformat(start.replace("Z", "+00:00"))):
        err = rejected({"arrivals.surges": [{"start": value, "duration_h": 1, "multiplier": 2}]})
        assert err.key == "arrivals.surges[0].start" and "UTC offset" in err.allowed


@pytest.mark.parametrize(
    ("changes", "key", "limit"),
    [
        ({"staff.ranks.constable.count": 10**11}, "staff.ranks.constable.count", "limits.people"),
        ({"horizon.replications": 10**9}, "horizon.replications", "limits.replications"),
        (
            {"horizon.days": 3000, "arrivals.callers_per_day": 1e6},
            "arrivals.callers_per_day",
            "limits.callers",
        ),
        ({"arrivals.callers_per_day": 1e19}, "arrivals.callers_per_day", "limits.callers"),
        (
            {"arrivals.mode": "constant", "arrivals.calls_per_h": 9.5e18, "arrivals.profile": None},
            "arrivals.calls_per_h",
            "limits.callers",
        ),
        (
            {"arrivals.surges": [{"start_h": 1, "duration_h": 1, "multiplier": 1e300}]},
            "arrivals.callers_per_day",
            "limits.callers",
        ),
        (
            {"call_types.complaint.redial.max_attempts": 10**9},
            "call_types.complaint.redial.max_attempts",
            "limits.attempts_per_caller",
        ),
        (
            {
                "horizon.days": 3000,
                "arrivals.callers_per_day": 10,
                "staff.ranks.constable.count": 19000,
            },
            "horizon.days",
            "limits.person_days",
        ),
    ],
)
def test_sizes_beyond_the_limits(changes: dict, key: str, limit: str) -> None:
    raw = copy.deepcopy(BASELINE)
    if changes.get("arrivals.profile", 0) is None:
        changes = {k: v for k, v in changes.items() if k != "arrivals.profile"}
        raw["arrivals"] = {"mode": "constant"}
    err = rejected(changes, raw)
    assert err.key == key and limit in str(err) and "[limits]" in str(err)


def test_a_limit_can_be_raised_in_the_scenario() -> None:
    raw = apply_changes(copy.deepcopy(BASELINE), {"horizon.replications": 20_000})
    with pytest.raises(ScenarioError):
        build(raw)
    raw["limits"] = {"replications": 20_000}
    assert build(raw).horizon.replications == 20_000


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"staff.teams": 2**63}, "staff.teams"),
        ({"staff.teams": 172}, "staff.teams"),
        ({"staff.teams": 172, "staff.allow_uncovered_hours": True}, "staff.teams"),
        ({"arrivals.daily_cv": 1e200}, "arrivals.daily_cv"),
        ({"arrivals.profile": [1.0] * 2880}, "arrivals.profile"),
    ],
)
def test_bounds_before_work(changes: dict, key: str) -> None:
    assert rejected(changes).key == key


def test_mixture_weights_summing_to_infinity_are_normalised() -> None:
    mix = {
        "dist": "mixture",
        "components": [
            {"weight": 1e308, "dist": "deterministic", "value_s": 60},
            {"weight": 1e308, "dist": "deterministic", "value_s": 180},
        ],
    }
    sc = build(apply_changes(copy.deepcopy(BASELINE), {TALK: mix}))
    talk = next(t.talk for t in sc.call_types if t.name == "complaint")
    assert [w for w, _ in talk.parts] == [0.5, 0.5] and talk.mean == 120


@pytest.mark.parametrize(
    ("dist", "key"),
    [
        ({"dist": "lognormal", "mean_min": 17, "cv": 1e200}, f"{TALK}.cv"),
        ({"dist": "lognormal", "mean_min": 17, "cv": 1e20}, f"{TALK}.cv"),
        ({"dist": "lognormal", "median_min": 17, "log_sd": 30}, f"{TALK}.log_sd"),
        ({"dist": "gamma", "mean_min": 17, "cv": 1e-200}, f"{TALK}.cv"),
        ({"dist": "gamma", "mean_min": 17, "cv": 1e3}, f"{TALK}.cv"),
        ({"dist": "gamma", "shape": 1e-300, "scale_s": 1}, f"{TALK}.shape"),
        ({"dist": "lognormal", "median_s": 1e300, "log_sd": 2}, TALK),
        ({"dist": "gamma", "shape": 1e10, "scale_s": 1e300}, TALK),
        ({"dist": "exponential", "mean_s": 1e300}, TALK),
    ],
)
def test_degenerate_distributions_are_rejected_at_load(dist: dict, key: str) -> None:
    assert rejected({TALK: dist}).key == key


def test_accepted_extreme_distributions_draw_finite_values_with_their_mean() -> None:
    """At the edges of the bounds, draws are finite and their mean is the stated one."""
    import numpy as np

    from sim.scenario.distributions import CV_MAX, GAMMA_CV_MIN, parse_dist

    rng = np.random.default_rng(16)
    for spec in (
        {"dist": "lognormal", "mean_min": 17, "cv": CV_MAX},
        {"dist": "gamma", "mean_min": 17, "cv": CV_MAX},
        {"dist": "gamma", "mean_min": 17, "cv": GAMMA_CV_MIN},
        {"dist": "uniform", "low_s": 0, "high_h": 1e11},
    ):
        d = parse_dist(spec, "k")
        x = d.sample(rng, 400_000)
        assert np.isfinite(x).all() and (x >= 0).all()
        # a sample mean within 5 standard errors of the stated mean
        se = np.sqrt(d.var / x.size)
        assert abs(x.mean() - d.mean) < 5 * se + 1e-9 * d.mean, spec


@pytest.mark.parametrize("when", ["busy", "abandon"])
def test_redial_that_never_lets_the_clock_move_is_refused(when: str) -> None:
    err = rejected(
        {
            f"call_types.complaint.redial.after_{when}": 1.0,
            "call_types.complaint.redial.decay": 1.0,
            f"call_types.complaint.redial.delay_after_{when}": 0,
        }
    )
    assert err.key == f"call_types.complaint.redial.delay_after_{when}"
