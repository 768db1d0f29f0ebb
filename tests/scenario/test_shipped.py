"""The scenarios in scenarios/ load and run, and docs/scenarios.md documents every key.

Each shipped file is validated as is, then simulated for a short horizon (2
days, half a day of warm-up, one replication) to check that its key metrics
are finite. The documentation check works two ways, so docs cannot drift
from the loader: every key name the loader asks for in its source, and every
dotted key it reads while loading the shipped files and one file of each
arrival and staff mode, must appear in docs/scenarios.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.executors import Execution
from sim.runner import run_replications
from sim.scenario import load_scenario, variant
from sim.scenario.load import build
from sim.scenario.reader import Reader
from sim.scenario.values import Scenario

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))  # not sim/verify/cases/
DOCS = ROOT / "docs" / "scenarios.md"
LOADERS = [
    ROOT / "sim" / "scenario" / name
    for name in ("load.py", "staff.py", "callbacks.py", "channels.py", "escalation.py")
]
SHORT = {"horizon.days": 2, "horizon.warmup_days": 0.5, "horizon.replications": 1}
KEY_METRICS = (
    "callers",
    "answered",
    "service_level",
    "asa_s",
    "abandon_rate",
    "block_rate",
    "agent_occupancy",
    "call_takers_on_duty_mean",
    "complaints",
    "not_registered_share",
    "reporting_delay_p50_min",
    "golden_hour_share",
    "money_held_share",
)
#: The variants the brief for scenarios/ asks for; each must extend the baseline.
VARIANTS = (
    "volume_2025",
    "festive_surge",
    "scam_wave",
    "staff_shortage",
    "lines_45",
    "priority_complaints",
    "shifts_12h",
    "headcount_quick",
    "deferred_work",
    "portal_step",
    "officers_2023",
)


def test_the_shipped_set_is_complete() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"baseline_2023", *VARIANTS} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_loads_with_its_own_name(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.name == path.stem  # a variant that forgot its name would report as its parent
    assert sc.description


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_extends_the_baseline_and_says_why(name: str) -> None:
    text = (ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")
    header = text.split("extends", 1)[0]
    assert 'extends = "baseline_2023.toml"' in text
    assert header.startswith(f"# {name}: ") and "?" in header  # the question it answers
    assert "Labels:" in header


def one_summary(sc: Scenario) -> dict[str, float]:
    """Replication 0's metrics, run in this process."""
    res = run_replications(sc, 1, execution=Execution.serial(), tables=())
    return res.per_replication.iloc[0].to_dict()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_runs_short_with_finite_metrics(path: Path) -> None:
    sc = variant(load_scenario(path), SHORT)
    summary = one_summary(sc)
    bad = {k: summary[k] for k in KEY_METRICS if not math.isfinite(summary[k])}
    assert not bad, bad
    assert summary["callers"] > 0 and summary["answered"] > 0 and summary["complaints"] > 0
    assert 0 <= summary["service_level"] <= 1 and 0 < summary["agent_occupancy"] <= 1


def _summary(name: str, days: float = 3.0) -> dict[str, float]:
    sc = variant(
        load_scenario(ROOT / "scenarios" / f"{name}.toml"),
        {"horizon.days": days, "horizon.warmup_days": 1, "horizon.replications": 1},
    )
    return one_summary(sc)


def test_2025_volume_overwhelms_30_seats_and_2023_does_not() -> None:
    """DOMAIN.md's consistency check, on the same seed: 30 seats cope in 2023, not in 2025."""
    base, v2025 = _summary("baseline_2023"), _summary("volume_2025")
    assert base["block_rate"] < 0.01 and base["not_registered_share"] < 0.01
    assert v2025["block_rate"] > 0.3 and v2025["not_registered_share"] > 0.1
    answered_per_day = v2025["answered"] / 2
    assert answered_per_day < 0.8 * 7000  # far from the 7,000 a day answered in 2025 (S)


def test_45_lines_and_seats_lose_fewer_complaints_than_30() -> None:
    assert (
        _summary("lines_45")["not_registered_share"]
        < _summary("volume_2025")["not_registered_share"]
    )


def test_scenario_windows_hold_their_surges() -> None:
    """The dated surges fall where the headers say: the festive season covers the whole window,
    the scam wave is 13:00-19:00 on the one measured day.
    """
    festive = load_scenario(ROOT / "scenarios" / "festive_surge.toml")
    [s] = festive.arrivals.surges
    assert (s.start_s, s.duration_s, s.multiplier) == (0.0, festive.horizon.end_s, 1.5)
    wave = load_scenario(ROOT / "scenarios" / "scam_wave.toml")
    [w] = wave.arrivals.surges
    assert wave.horizon.warmup_s <= w.start_s and w.start_s + w.duration_s <= wave.horizon.end_s
    assert (w.start_s % 86_400 / 3600, w.duration_s / 3600, w.multiplier) == (13.0, 6.0, 3.0)


# --- docs/scenarios.md documents every key ------------------------------------------------

#: Reader methods whose first argument is a key name, and the loader's clock helper.
_KEY_CALL = re.compile(
    r"\.(?:number|numbers|choice|boolean|string|strings|dist|sub|raw|has)\(\s*\"(\w+)\""
    r"|_clock_s\(\s*\w+,\s*\"(\w+)\""
)


def loader_key_names() -> set[str]:
    """Every key name that the scenario loaders (load.py, staff.py) ask a Reader for."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in LOADERS)
    return {a or b for a, b in _KEY_CALL.findall(source)}


def _mode_variants() -> Iterator[dict[str, Any]]:
    """Raw overrides that reach the loader's other branches: arrival and staff modes."""
    yield {"arrivals": {"mode": "constant", "calls_per_h": 60}}
    yield {"arrivals": {"mode": "trace", "first_dial_s": [0.0, 60.0], "call_type": ["blank"] * 2}}
    day = {"date": "2023-07-03", "first_dial_s": [60.0], "call_type": ["blank"]}
    yield {"arrivals": {"mode": "bootstrap", "same_weekday": True, "days": [day]}}


def _normalise(key: str, call_types: set[str], ranks: set[str]) -> str:
    key = re.sub(r"\[\d+\]", "[i]", key)
    parts = key.split(".")
    if len(parts) > 1 and parts[0] == "call_types" and parts[1] in call_types:
        parts[1] = "NAME"
    if len(parts) > 2 and parts[:2] == ["staff", "ranks"] and parts[2] in ranks:
        parts[2] = "RANK"
    return ".".join(parts)


def read_dotted_keys(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Dotted keys the loader reads for the shipped files and one file of each mode."""
    seen: set[str] = set()
    original = Reader.raw

    def recording_raw(self: Reader, name: str, *args: Any) -> Any:
        seen.add(self.key(name))
        return original(self, name, *args)

    monkeypatch.setattr(Reader, "raw", recording_raw)
    loaded: list[Scenario] = [load_scenario(p) for p in SHIPPED]
    base = loaded[[p.stem for p in SHIPPED].index("baseline_2023")]
    for change in _mode_variants():
        build({**base.raw, **change})
    call_types = {t.name for sc in loaded for t in sc.call_types}
    ranks = {r.name for sc in loaded for r in sc.staff.ranks}
    return {_normalise(k, call_types, ranks) for k in seen}


def _documented(docs: str, name: str) -> bool:
    """``name`` appears in backticks as a key (``days``), the end of a dotted key
    (``horizon.days``) or a table (``[horizon]``).
    """
    return re.search(rf"`\[?(?:[\w\[\]]+\.)*{name}\]?`", docs) is not None


def test_loader_key_names_are_found() -> None:
    """Guard the source scan itself: it must find keys of every table."""
    names = loader_key_names()
    assert {"days", "callers_per_day", "talk", "after_busy", "seats", "start", "held_peak"} <= names
    assert len(names) > 60


def test_docs_mention_every_key_name_the_loader_reads() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    missing = sorted(n for n in loader_key_names() if not _documented(docs, n))
    assert not missing, f"keys read in sim/scenario/ but not in docs/scenarios.md: {missing}"


def test_docs_list_every_dotted_key(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    keys = read_dotted_keys(monkeypatch)
    assert {"horizon.days", "call_types.NAME.redial.after_busy", "staff.shifts[i].start"} <= keys
    missing = sorted(k for k in keys if f"`{k}`" not in docs and f"`[{k}]`" not in docs)
    assert not missing, f"dotted keys missing from docs/scenarios.md: {missing}"


def test_docs_list_every_distribution_form() -> None:
    from sim.scenario.distributions import KINDS, TIME_UNITS_S

    docs = DOCS.read_text(encoding="utf-8")
    for kind in (*KINDS, "constant"):
        assert f'dist = "{kind}"' in docs, kind
    for unit in TIME_UNITS_S:
        assert f"`_{unit}`" in docs, unit
    for param in ("mean_*", "median_*", "cv", "log_sd", "shape", "scale_*", "value_*"):
        assert f"`{param}`" in docs, param


def test_docs_list_every_shipped_scenario() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    missing = [p.name for p in SHIPPED if f"`{p.name}`" not in docs]
    assert not missing, missing
