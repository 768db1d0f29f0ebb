"""Fuzz: mutated scenario files through the loader and through ``helpline run``.

A seeded generator (the seed comes from the checkout's commit, so each commit gets new inputs and
every run of one commit the same; printed; set ``HELPLINE_FUZZ_SEED`` to try another) mutates
the shipped scenarios, one with skill groups in interval mode, and a tiny one: hostile values at
random keys (integers beyond float range, 1e308, NaN, strings that look like placeholders or
hold escape codes, dates with UTC offsets, degenerate distributions, deep nesting), deleted
keys, unknown keys with strange names, odd ``extends`` paths, and damaged bytes. Every case must
be a loaded scenario or the project's error on one line; through the command line, exit 0 with
a complete output folder, or exit 2 with one line on stderr and nothing written. Keys that no
shipped scenario sets get every hostile value in turn (``OPTIONAL_KEYS``), not only by chance.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fuzz_seed import fuzz_seed
from tiny import TINY_TOML

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.files import read_raw
from sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
LOADER_CASES = 2000
RUN_CASES = 50
LONGEST_MESSAGE = 1200  # characters: a message names file, key, what is allowed, a cut value


HOSTILE: list[Any] = [
    10**400,
    -(10**400),
    2**63,
    2**64 + 1,
    1e308,
    -1e308,
    1e-300,
    math.nan,
    math.inf,
    -math.inf,
    -0.0,
    0,
    -1,
    1,
    0.5,
    True,
    "",
    "inf",
    "<Traceback (most recent call last)>",
    "<missing>",
    "a\nb",
    "\x1b[31mred\x1b[0m",
    "x" * 5000,
    "06:00",
    "25:00",
    [],
    [[]],
    [1, "a"],
    {},
    {"dist": "lognormal", "mean_min": 17, "cv": 1e200},
    {"dist": "lognormal", "median_s": 1e300, "log_sd": 2},
    {"dist": "gamma", "mean_min": 1, "cv": 1e-200},
    {"dist": "gamma", "shape": 1e-300, "scale_s": 1},
    {"dist": "uniform", "low_h": 0, "high_h": 1e308},
    {"dist": "exponential", "mean_h": 1e307},
    {"dist": "empirical", "samples_s": []},
    {"dist": "deterministic", "value_s": 0},
    {
        "dist": "mixture",
        "components": [
            {"weight": 1e308, "dist": "exponential", "mean_min": 3},
            {"weight": 1e308, "dist": "exponential", "mean_min": 5},
        ],
    },
    {"start": "2023-07-04T10:00:00+05:30", "duration_h": 1, "multiplier": 2},
    [{"start": dt.datetime(2023, 7, 4, 10, tzinfo=dt.UTC), "duration_h": 1, "multiplier": 2}],
    [{"start_h": 1e307, "duration_h": 1, "multiplier": 1e300}],
    dt.date(2023, 7, 3),
    dt.datetime(2023, 7, 3, 12, 0),
    dt.datetime(2023, 7, 3, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    dt.time(6, 0),
    {"count": 10**11, "women": 0},
    {"after_busy": 1.0, "decay": 1.0, "delay_after_busy": 0, "max_attempts": 10**9},
]
KEY_NAMES = ["", "a\nb", "\x1b[2J", "a.b", " ", "💥", "extends", "dist", "mean_min", "count"]
EXTENDS = [
    "missing.toml",
    "a" * 5000 + ".toml",
    "x/" * 3000 + "y.toml",
    "/etc/passwd",
    "../" * 50 + "etc/hostname",
    "/dev/zero",
    ".",
    "",
    "self.toml",
]


# --- a small TOML writer (inline tables and arrays; enough for any value above) ------------
def _string(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _key(k: str) -> str:
    bare = k and all(c.isascii() and (c.isalnum() or c in "_-") for c in k)
    return k if bare else _string(k)


def value_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return (
            "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        )
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(value_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {value_text(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def toml_text(raw: dict[str, Any]) -> str:
    return "".join(f"{_key(k)} = {value_text(v)}\n" for k, v in raw.items())


# --- mutations -----------------------------------------------------------------------------
def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indices) to a value inside ``node``."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        out.append((*prefix, k))
        if isinstance(v, dict | list) and len(out) < 5000:
            out.extend(_paths(v, (*prefix, k)))
    return out


def _parent(raw: Any, path: tuple) -> Any:
    node = raw
    for k in path[:-1]:
        node = node[k]
    return node


def mutate(
    raw: dict[str, Any], rng: random.Random, skip: tuple[str, ...] = (), gentle: float = 0.0
) -> str:
    """A mutated copy of ``raw`` as TOML text; ``gentle``: share of numbers only scaled."""
    raw = copy.deepcopy(raw)
    for _ in range(rng.choice([1, 1, 2, 3])):
        paths = [p for p in _paths(raw) if p[0] not in skip] or [("scenario",)]
        path = rng.choice(paths)
        parent = _parent(raw, path)
        op = rng.random()
        old = parent[path[-1]]
        if rng.random() < gentle:  # a number scaled (others left alone): mostly still valid
            if isinstance(old, int | float) and not isinstance(old, bool):
                parent[path[-1]] = old * rng.choice([0, 0.5, 2, 10, 1e3, 1e6, -1])
        elif op < 0.55:
            parent[path[-1]] = copy.deepcopy(rng.choice(HOSTILE))
        elif op < 0.7 and isinstance(parent, dict):
            del parent[path[-1]]
        elif op < 0.8:
            table = parent if isinstance(parent, dict) else raw
            table[rng.choice(KEY_NAMES)] = copy.deepcopy(rng.choice(HOSTILE))
        elif op < 0.87:
            raw["extends"] = rng.choice(EXTENDS)
        elif op < 0.93:
            deep: Any = rng.choice([1, "x"])
            for _ in range(rng.choice([25, 30, 150])):
                deep = [deep] if rng.random() < 0.5 else {"a": deep}
            parent[path[-1]] = deep
        else:
            parent[path[-1]] = [copy.deepcopy(parent[path[-1]])]
    text = toml_text(raw)
    damage = rng.random()
    if damage < 0.04:
        text = text[: rng.randrange(len(text) + 1)]
    elif damage < 0.07:
        i = rng.randrange(len(text) + 1)
        text = text[:i] + rng.choice(["\x00", "\xff", "[[", "=", '"', "\n[x]\n", "}"]) + text[i:]
    elif damage < 0.09:
        text = "x = " + "[" * 1000 + "]" * 1000 + "\n" + text
    return text


def write_case(folder: Path, text: str, rng: random.Random) -> Path:
    path = folder / "case.toml"
    data = text.encode("utf-8")
    if rng.random() < 0.01:
        data = b"\xff\xfe" + data  # not UTF-8
    path.write_bytes(data)
    return path


def assert_one_line(message: str, case: str, seed: int) -> None:
    why = f"seed {seed}: message not one clean line: {message[:300]!r}\ncase:\n{case[:2000]}"
    assert "\n" not in message and "\r" not in message and "\x1b" not in message, why
    assert len(message) <= LONGEST_MESSAGE, why


#: Skill groups in interval mode, which no shipped scenario uses: a base of its own, so the
#: groups' keys are mutated too (two groups serving the baseline's three call types).
GROUPS_TOML = """
[staff]
mode = "interval"
seats = 16
breaks = []

[[staff.groups]]
name = "fraud"
serves = ["complaint"]
call_takers = [{fraud}]

[[staff.groups]]
name = "desk"
serves = ["other", "blank"]
call_takers = [{desk}]
""".format(fraud=", ".join(["12"] * 48), desk=", ".join(["4"] * 48))


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    groups = tmp_path_factory.mktemp("groups") / "groups.toml"
    baseline = ROOT / "scenarios" / "baseline_2023.toml"
    groups.write_text(f"extends = {json.dumps(str(baseline))}\n{GROUPS_TOML}", encoding="utf-8")
    load_scenario(groups)  # a valid base: its mutations, not the base, are what fail
    return [read_raw(p) for p in (*SHIPPED, groups)]


@pytest.mark.slow
def test_mutated_scenarios_through_the_loader(bases: list[dict], tmp_path: Path) -> None:
    seed = fuzz_seed()
    rng = random.Random(seed)
    (tmp_path / "self.toml").write_text('extends = "self.toml"\n')
    loaded = errors = 0
    for i in range(LOADER_CASES):
        text = mutate(rng.choice(bases), rng)
        path = write_case(tmp_path, text, rng)
        try:
            load_scenario(path)
            loaded += 1
        except ScenarioError as exc:
            assert_one_line(str(exc), text, seed)
            # the file run, or the file of the chain that holds the problem
            # a case may load or fail, so pytest.raises does not fit this loop
            assert str(exc).startswith((str(tmp_path), "...")), f"seed {seed} case {i}: {exc}"  # noqa: PT017
            errors += 1
        except Exception as exc:
            pytest.fail(f"seed {seed} case {i}: {type(exc).__name__}: {exc}\ncase:\n{text[:3000]}")
    print(f"{LOADER_CASES} cases: {loaded} loaded, {errors} clean errors")  # noqa: T201
    assert loaded + errors == LOADER_CASES and errors > 0


@pytest.mark.slow
def test_mutated_scenarios_through_helpline_run(tmp_path: Path) -> None:
    import tomllib

    seed = fuzz_seed()
    rng = random.Random(seed)
    base = tomllib.loads(TINY_TOML)
    runner = CliRunner()
    outcomes = {0: 0, 2: 0}
    for i in range(RUN_CASES):
        case_dir = tmp_path / f"case{i}"
        case_dir.mkdir()
        text = mutate(base, rng, skip=("limits",), gentle=0.5)
        path = write_case(case_dir, text, rng)
        out = case_dir / "out"
        result = runner.invoke(
            main, ["run", str(path), "--out", str(out), "--workers", "1", "--json"]
        )
        where = f"seed {seed} case {i}"
        if result.exit_code == 0:
            doc = json.loads(result.stdout)
            assert doc["scenario"] and (out / "summary.json").exists(), where
            assert len(list(out.iterdir())) >= 10, where
        else:
            assert result.exit_code == 2, (
                f"{where}: exit {result.exit_code}, {result.exception!r}\n{result.output[-2000:]}"
                f"\ncase:\n{text[:3000]}"
            )
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), (where, result.stderr)
            assert_one_line(lines[0], text, seed)
            assert sorted(p.name for p in case_dir.iterdir()) == ["case.toml"], where
        outcomes[result.exit_code] += 1
    print(f"{RUN_CASES} runs: {outcomes[0]} ran, {outcomes[2]} refused with exit 2")  # noqa: T201


#: Keys no shipped scenario sets (other arrival modes, deferred instants and profile, limits,
#: interval staffing and skill groups, team shares, two targets): each snippet, after
#: ``extends`` the baseline, sets one of them, and every hostile value goes where ``@`` is.
_TRACE = '[arrivals]\nmode = "trace"\n'
_BOOT = '[arrivals]\nmode = "bootstrap"\n'
_DAY = "[[arrivals.days]]\ndate = 2023-07-03\n"
_INTERVAL = '[staff]\nmode = "interval"\nseats = 3\nbreaks = []\n'
_SURGE = "[[arrivals.surges]]\n"
OPTIONAL_KEYS: dict[str, str] = {
    "calls_per_h": '[arrivals]\nmode = "constant"\ncalls_per_h = @\n',
    "trace.first": _TRACE + "first_dial_s = [@, 10.0]\n",
    "trace.first_whole": _TRACE + "first_dial_s = @\n",
    "trace.type": _TRACE + 'first_dial_s = [5.0, 10.0]\ncall_type = [@, "other"]\n',
    "trace.type_whole": _TRACE + "first_dial_s = [5.0, 10.0]\ncall_type = @\n",
    "boot.date": _BOOT + "[[arrivals.days]]\ndate = @\nfirst_dial_s = [5.0]\n",
    "boot.first": _BOOT + _DAY + "first_dial_s = [@]\n",
    "boot.first_whole": _BOOT + _DAY + "first_dial_s = @\n",
    "boot.type": _BOOT + _DAY + "first_dial_s = [5.0]\ncall_type = [@]\n",
    "boot.same": _BOOT + "same_weekday = @\n" + _DAY + "first_dial_s = [5.0]\n",
    "boot.days": _BOOT + "days = @\n",
    "surge.start_h": _SURGE + "start_h = @\nduration_h = 1\nmultiplier = 2\n",
    "surge.duration": _SURGE + "start_h = 3\nduration_h = @\nmultiplier = 2\n",
    "surge.mult": _SURGE + "start_h = 3\nduration_h = 1\nmultiplier = @\n",
    "def.arrival": "[deferred]\narrival_s = [@]\n",
    "def.arrival_whole": "[deferred]\narrival_s = @\n",
    "def.profile": "[deferred]\nitems_per_day = 10\nprofile = [1, @, 1, 1]\n",
    "def.profile_whole": "[deferred]\nitems_per_day = 10\nprofile = @\n",
    "lim.callers": "[limits]\ncallers = @\n",
    "lim.people": "[limits]\npeople = @\n",
    "lim.days": "[limits]\ndays = @\n",
    "lim.pd": "[limits]\nperson_days = @\n",
    "lim.reps": "[limits]\nreplications = @\n",
    "lim.apc": "[limits]\nattempts_per_caller = @\n",
    "int.minutes": _INTERVAL + "interval.minutes = @\n",
    "int.by": _INTERVAL + "interval.by = @\n",
    "int.esc": _INTERVAL + "interval.escalation = [" + ", ".join(["2"] * 47) + ", @]\n",
    "int.esc_whole": _INTERVAL + "interval.escalation = @\n",
    "int.takers_whole": _INTERVAL + "interval.call_takers = @\n",
    "int.whole": _INTERVAL + "interval = @\n",
    "team_shares": "[staff]\nteam_shares = [@, 0.5, 0.25]\n",
    "team_shares_whole": "[staff]\nteam_shares = @\n",
    "asa": "[targets]\nasa_max_s = @\n",
    "ghs": "[targets]\ngolden_hour_share_min = @\n",
    "groups.serves": GROUPS_TOML.replace('serves = ["complaint"]', "serves = @"),
    "groups.name": GROUPS_TOML.replace('name = "fraud"', "name = @"),
    "groups.takers": GROUPS_TOML.replace("call_takers = [4,", "call_takers = [@,"),
    "groups.whole": _INTERVAL + "groups = @\n",
}


def test_hostile_values_at_keys_no_shipped_scenario_sets(tmp_path: Path) -> None:
    baseline = json.dumps(str(ROOT / "scenarios" / "baseline_2023.toml"))
    crashes = []
    for case, snippet in OPTIONAL_KEYS.items():
        for value in HOSTILE:
            text = f"extends = {baseline}\n" + snippet.replace("@", value_text(value))
            path = tmp_path / "case.toml"
            path.write_text(text, encoding="utf-8")
            try:
                load_scenario(path)
            except ScenarioError as exc:
                assert_one_line(str(exc), text, 0)
            except Exception as exc:  # every other exception is the finding
                crashes.append(f"{case} = {value_text(value)[:60]}: {type(exc).__name__}: {exc}")
    assert not crashes, "\n".join(crashes[:20])
