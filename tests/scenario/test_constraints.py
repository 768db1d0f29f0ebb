"""One test per scenario input constraint, through ``helpline run``.

Every bad input must stop the run before it simulates anything, with exit
code 2 and one line on stderr of the form ``error: FILE: KEY: must be
ALLOWED; got VALUE`` that names the file and the dotted key, no traceback,
and nothing written to the ``--out`` folder. docs/scenarios.md lists the
same rules for users ("Validation rules").

Each case is a small TOML file that extends the shipped baseline (by absolute
path) and changes one thing, written into ``tmp_path``.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli import main
from sim.report import charts as plots
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.toml"
MESSAGE = re.compile(
    r"error: (?P<file>.+?): (?P<key>\S+): must be (?P<allowed>.+); got (?P<got>.+)"
)

TALK = "[call_types.complaint]\ntalk = "
SURGE = "[[arrivals.surges]]\n"
HEADCOUNT = "[staff]\nmode = 'headcount'\nseats = 10\n"
DAY_ONLY = "{name = 'day', start = '06:00', hours = 8}"

#: (id, TOML added after ``extends = BASELINE``, the dotted key the error must name)
BAD_VALUES: list[tuple[str, str, str]] = [
    # unknown keys, at every level
    ("unknown-top-level", "foo = 1", "foo"),
    ("unknown-nested", "[horizon]\ndayz = 3", "horizon.dayz"),
    ("unknown-in-call-type", "[call_types.complaint]\nsahre = 0.2", "call_types.complaint.sahre"),
    (
        "unknown-in-redial",
        "[call_types.complaint.redial]\nafter_bsy = 0.2",
        "call_types.complaint.redial.after_bsy",
    ),
    (
        "unknown-in-distribution",
        TALK + "{dist = 'lognormal', mean_min = 17, log_sd = 0.5, shape = 2}",
        "call_types.complaint.talk.shape",
    ),
    (
        "unknown-in-mixture-component",
        TALK + "{dist = 'mixture', components = [{weight = 1, dist = 'exponential', "
        "mean_min = 1, cv = 1}]}",
        "call_types.complaint.talk.components[0].cv",
    ),
    (
        "unknown-in-rank",
        "[staff]\nranks.constable = {count = 150, women = 62, men = 88}",
        "staff.ranks.constable.men",
    ),
    (
        "unknown-in-shift",
        "[staff]\nshifts = [{name = 'a', start = '00:00', hours = 24, end = '08:00'}]",
        "staff.shifts[0].end",
    ),
    (
        "unknown-in-break",
        "[staff]\nbreaks = [{after_h = 1, duration_min = 10, group = 3}]",
        "staff.breaks[0].group",
    ),
    (
        "unknown-in-surge",
        SURGE + "start_h = 1\nduration_h = 1\nmultiplier = 2\nfactor = 3",
        "arrivals.surges[0].factor",
    ),
    ("unknown-in-headcount", "[staff.headcount]\nofficers = [1, 1, 1]", "staff.headcount.officers"),
    ("key-of-another-mode", "[arrivals]\ncalls_per_h = 3", "arrivals.calls_per_h"),
    (
        "time-unit-on-money",
        "[money]\nloss_rs = {dist = 'exponential', mean_min = 3}",
        "money.loss_rs.mean_min",
    ),
    # wrong types
    ("string-for-number", "[horizon]\ndays = 'ten'", "horizon.days"),
    ("bool-for-number", "[lines]\ncount = true", "lines.count"),
    ("string-for-lines", "[lines]\ncount = 'many'", "lines.count"),
    ("fraction-for-whole", "[staff]\nseats = 30.5", "staff.seats"),
    (
        "fraction-priority",
        "[call_types.complaint]\npriority = 1.5",
        "call_types.complaint.priority",
    ),
    ("string-for-bool", "[money]\nenabled = 'yes'", "money.enabled"),
    (
        "string-for-flag",
        "[call_types.complaint]\ncomplaint = 'yes'",
        "call_types.complaint.complaint",
    ),
    ("number-for-string", "[scenario]\nname = 3", "scenario.name"),
    ("empty-name", "[scenario]\nname = ''", "scenario.name"),
    ("blank-name", "[scenario]\nname = '  '", "scenario.name"),
    ("number-for-table", "scenario = 3", "scenario"),
    ("number-for-call-type", "[call_types]\nx = 3", "call_types.x"),
    ("number-for-redial", "[call_types.complaint]\nredial = 3", "call_types.complaint.redial"),
    ("list-for-ranks", "[staff]\nranks = []", "staff.ranks"),
    ("number-for-shift", "[staff]\nshifts = [3]", "staff.shifts[0]"),
    ("empty-shifts", "[staff]\nshifts = []", "staff.shifts"),
    ("number-for-surges", "[arrivals]\nsurges = 3", "arrivals.surges"),
    ("number-for-breaks", "[staff]\nbreaks = 3", "staff.breaks"),
    ("string-for-distribution", TALK + "'17 min'", "call_types.complaint.talk"),
    ("bool-for-distribution", TALK + "true", "call_types.complaint.talk"),
    (
        "word-for-patience",
        "[call_types.complaint]\npatience = 'forever'",
        "call_types.complaint.patience",
    ),
    ("bad-date", "[horizon]\nstart_date = '2023-13-01'", "horizon.start_date"),
    ("date-time-for-date", "[horizon]\nstart_date = 2023-07-03T00:00:00", "horizon.start_date"),
    ("nan", "[horizon]\ndays = nan", "horizon.days"),
    ("infinite-days", "[horizon]\ndays = inf", "horizon.days"),
    # zero and negative values
    ("zero-days", "[horizon]\ndays = 0", "horizon.days"),
    ("negative-days", "[horizon]\ndays = -1", "horizon.days"),
    ("negative-warmup", "[horizon]\nwarmup_days = -1", "horizon.warmup_days"),
    ("zero-replications", "[horizon]\nreplications = 0", "horizon.replications"),
    ("negative-seed", "[horizon]\nseed = -1", "horizon.seed"),
    ("zero-callers", "[arrivals]\ncallers_per_day = 0", "arrivals.callers_per_day"),
    ("negative-daily-cv", "[arrivals]\ndaily_cv = -0.1", "arrivals.daily_cv"),
    ("zero-lines", "[lines]\ncount = 0", "lines.count"),
    ("zero-seats", "[staff]\nseats = 0", "staff.seats"),
    ("negative-rotation", "[staff]\nrotation_days = -1", "staff.rotation_days"),
    ("zero-teams", "[staff]\nteams = 0", "staff.teams"),
    (
        "negative-rank-count",
        "[staff]\nranks.inspector = {count = -1, women = 0}",
        "staff.ranks.inspector.count",
    ),
    (
        "zero-shift-hours",
        "[staff]\nshifts = [{start = '00:00', hours = 0}]",
        "staff.shifts[0].hours",
    ),
    (
        "zero-break",
        "[staff]\nbreaks = [{after_h = 1, duration_min = 0}]",
        "staff.breaks[0].duration_min",
    ),
    (
        "zero-break-groups",
        "[staff]\nbreaks = [{after_h = 1, duration_min = 10, groups = 0}]",
        "staff.breaks[0].groups",
    ),
    (
        "negative-mean",
        TALK + "{dist = 'exponential', mean_min = -3}",
        "call_types.complaint.talk.mean_min",
    ),
    (
        "zero-mean",
        TALK + "{dist = 'exponential', mean_min = 0}",
        "call_types.complaint.talk.mean_min",
    ),
    (
        "zero-cv",
        TALK + "{dist = 'lognormal', mean_min = 3, cv = 0}",
        "call_types.complaint.talk.cv",
    ),
    (
        "negative-constant",
        TALK + "{dist = 'deterministic', value_s = -1}",
        "call_types.complaint.talk.value_s",
    ),
    ("negative-bare-number", TALK + "-5", "call_types.complaint.talk"),
    (
        "negative-victim-delay",
        "[call_types.complaint]\nvictim_delay = {dist = 'exponential', mean_h = -1}",
        "call_types.complaint.victim_delay.mean_h",
    ),
    (
        "zero-max-attempts",
        "[call_types.complaint.redial]\nmax_attempts = 0",
        "call_types.complaint.redial.max_attempts",
    ),
    (
        "zero-surge",
        SURGE + "start_h = 1\nduration_h = 0\nmultiplier = 2",
        "arrivals.surges[0].duration_h",
    ),
    (
        "negative-surge",
        SURGE + "start_h = 1\nduration_h = 2\nmultiplier = -1",
        "arrivals.surges[0].multiplier",
    ),
    ("zero-golden-hour", "[targets]\ngolden_hour_min = 0", "targets.golden_hour_min"),
    ("negative-service-level", "[targets]\nservice_level_s = -1", "targets.service_level_s"),
    (
        "service-level-target-above-1",
        "[targets]\nservice_level_min = 80",
        "targets.service_level_min",
    ),
    (
        "unknown-service-level-convention",
        '[targets]\nservice_level_of = "all"',
        "targets.service_level_of",
    ),
    ("abandon-target-above-1", "[targets]\nabandon_rate_max = 5", "targets.abandon_rate_max"),
    ("negative-block-target", "[targets]\nblock_rate_max = -0.1", "targets.block_rate_max"),
    ("negative-asa-target", "[targets]\nasa_max_s = -1", "targets.asa_max_s"),
    (
        "golden-hour-target-above-1",
        "[targets]\ngolden_hour_share_min = 1.5",
        "targets.golden_hour_share_min",
    ),
    ("odd-target-interval", "[targets]\ninterval_min = 20", "targets.interval_min"),
    ("text-asa-target", '[targets]\nasa_max_s = "fast"', "targets.asa_max_s"),
    ("zero-money-decay", "[money]\nheld_decay_h = 0", "money.held_decay_h"),
    # shares and probabilities out of range
    ("share-above-1", "[call_types.complaint]\nshare = 1.5", "call_types.complaint.share"),
    ("share-below-0", "[call_types.complaint]\nshare = -0.1", "call_types.complaint.share"),
    ("shares-not-summing-to-1", "[call_types.complaint]\nshare = 0.3", "call_types.*.share"),
    (
        "escalation-share-above-1",
        "[call_types.complaint]\nescalation_share = 2",
        "call_types.complaint.escalation_share",
    ),
    (
        "redial-above-1",
        "[call_types.complaint.redial]\nafter_busy = 1.2",
        "call_types.complaint.redial.after_busy",
    ),
    (
        "redial-decay-above-1",
        "[call_types.complaint.redial]\ndecay = 2",
        "call_types.complaint.redial.decay",
    ),
    ("absence-of-everyone", "[staff]\nabsence_rate = 1.0", "staff.absence_rate"),
    ("seven-weekly-offs", "[staff]\nweekly_offs = 7", "staff.weekly_offs"),
    (
        "shift-over-24h",
        "[staff]\nshifts = [{start = '00:00', hours = 25}]",
        "staff.shifts[0].hours",
    ),
    ("money-held-above-1", "[money]\nheld_floor = 0.5\nheld_peak = 0.6", "money.held_peak"),
    # the horizon
    ("warmup-equal-to-days", "[horizon]\nwarmup_days = 28", "horizon.warmup_days"),
    ("warmup-longer-than-days", "[horizon]\ndays = 2\nwarmup_days = 3", "horizon.warmup_days"),
    # arrivals
    (
        "profile-not-dividing-a-day",
        "[arrivals]\nprofile = [" + ", ".join(["1.0"] * 23) + "]",
        "arrivals.profile",
    ),
    (
        "profile-all-zero",
        "[arrivals]\nprofile = [" + ", ".join(["0.0"] * 24) + "]",
        "arrivals.profile",
    ),
    ("profile-negative", "[arrivals]\nprofile = [-1.0" + ", 1.0" * 23 + "]", "arrivals.profile"),
    ("six-weekdays", "[arrivals]\nday_of_week = [1.0, 1, 1, 1, 1, 1]", "arrivals.day_of_week"),
    (
        "weekdays-all-zero",
        "[arrivals]\nday_of_week = [0.0, 0, 0, 0, 0, 0, 0]",
        "arrivals.day_of_week",
    ),
    ("unknown-arrival-mode", "[arrivals]\nmode = 'poisson'", "arrivals.mode"),
    ("unknown-discipline", "[queue]\ndiscipline = 'lifo'", "queue.discipline"),
    ("unknown-end", "[horizon]\nend = 'stop'", "horizon.end"),
    ("unknown-staff-mode", "[staff]\nmode = 'rota'", "staff.mode"),
    (
        "surge-after-horizon",
        SURGE + "start = 2024-01-01T00:00:00\nduration_h = 6\nmultiplier = 3",
        "arrivals.surges[0]",
    ),
    (
        "surge-before-horizon",
        SURGE + "start = 2023-07-01T00:00:00\nduration_h = 6\nmultiplier = 3",
        "arrivals.surges[0]",
    ),
    (
        "surge-start-h-outside",
        SURGE + "start_h = 10000\nduration_h = 6\nmultiplier = 3",
        "arrivals.surges[0]",
    ),
    (
        "surge-with-two-starts",
        SURGE + "start_h = 1\nstart = 2023-07-04T00:00:00\nduration_h = 6\nmultiplier = 3",
        "arrivals.surges[0]",
    ),
    (
        "surge-bad-start",
        SURGE + "start = 'Tuesday'\nduration_h = 6\nmultiplier = 3",
        "arrivals.surges[0].start",
    ),
    (
        "surge-without-duration",
        SURGE + "start_h = 1\nmultiplier = 3",
        "arrivals.surges[0].duration_h",
    ),
    # staff
    (
        "hours-with-no-shift",
        "[staff]\nshifts = [{name = 'day', start = '06:00', hours = 8}]",
        "staff.shifts",
    ),
    ("more-seats-than-people", "[staff]\nseats = 200", "staff.seats"),
    (
        "more-seats-than-headcount",
        HEADCOUNT.replace("10", "30") + "headcount.call_takers = [10, 10, 5]",
        "staff.seats",
    ),
    ("teams-fewer-than-shifts", "[staff]\nteams = 2", "staff.teams"),
    (
        "a-team-without-call-takers",
        "[staff]\nseats = 2\nranks.constable = {count = 2, women = 0}",
        "staff.teams",
    ),
    ("no-call-taker-ranks", "[staff]\ncall_taker_ranks = []", "staff.call_taker_ranks"),
    (
        "escalation-with-no-officers",
        "[staff]\nranks.sub_inspector = {count = 0, women = 0}",
        "staff.escalation_ranks",
    ),
    ("escalation-with-no-ranks", "[staff]\nescalation_ranks = []", "staff.escalation_ranks"),
    (
        "escalation-team-without-officer",
        "[staff]\nranks.sub_inspector = {count = 2, women = 0}",
        "staff.escalation_ranks",
    ),
    (
        "escalation-shift-without-officer",
        HEADCOUNT + "headcount.escalation = [2, 2, 0]",
        "staff.headcount.escalation",
    ),
    (
        "women-more-than-count",
        "[staff]\nranks.constable = {count = 150, women = 151}",
        "staff.ranks.constable.women",
    ),
    (
        "unknown-call-taker-rank",
        "[staff]\ncall_taker_ranks = ['constabel']",
        "staff.call_taker_ranks",
    ),
    ("unknown-escalation-rank", "[staff]\nescalation_ranks = ['SI']", "staff.escalation_ranks"),
    ("rank-in-both-lists", "[staff]\nescalation_ranks = ['constable']", "staff.escalation_ranks"),
    ("clock-25h", "[staff]\nshifts = [{start = '25:00', hours = 24}]", "staff.shifts[0].start"),
    ("clock-60min", "[staff]\nshifts = [{start = '23:60', hours = 24}]", "staff.shifts[0].start"),
    ("clock-words", "[staff]\nshifts = [{start = '6am', hours = 24}]", "staff.shifts[0].start"),
    (
        "break-longer-than-shift",
        "[staff]\nbreaks = [{after_h = 7, duration_min = 60, groups = 3}]",
        "staff.breaks[0]",
    ),
    (
        "headcount-per-shift-missing",
        HEADCOUNT + "headcount.call_takers = [10, 10]",
        "staff.headcount.call_takers",
    ),
    (
        "headcount-shift-empty",
        HEADCOUNT + "headcount.call_takers = [10, 10, 0]",
        "staff.headcount.call_takers",
    ),
    # distributions
    (
        "unknown-distribution",
        TALK + "{dist = 'weibull', mean_min = 17}",
        "call_types.complaint.talk.dist",
    ),
    (
        "lognormal-mean-and-median",
        TALK + "{dist = 'lognormal', mean_min = 17, median_min = 15, log_sd = 0.5}",
        "call_types.complaint.talk",
    ),
    (
        "lognormal-cv-and-log-sd",
        TALK + "{dist = 'lognormal', mean_min = 17, cv = 0.3, log_sd = 0.5}",
        "call_types.complaint.talk",
    ),
    (
        "lognormal-without-spread",
        TALK + "{dist = 'lognormal', mean_min = 17}",
        "call_types.complaint.talk",
    ),
    (
        "time-without-unit",
        TALK + "{dist = 'exponential', mean = 3}",
        "call_types.complaint.talk.mean",
    ),
    (
        "time-with-two-units",
        TALK + "{dist = 'exponential', mean_s = 3, mean_min = 3}",
        "call_types.complaint.talk",
    ),
    ("parameter-missing", TALK + "{dist = 'exponential'}", "call_types.complaint.talk"),
    (
        "gamma-mixed-forms",
        TALK + "{dist = 'gamma', mean_min = 5, shape = 2}",
        "call_types.complaint.talk",
    ),
    (
        "uniform-empty-range",
        TALK + "{dist = 'uniform', low_min = 5, high_min = 5}",
        "call_types.complaint.talk.high_min",
    ),
    (
        "empirical-empty",
        TALK + "{dist = 'empirical', samples_min = []}",
        "call_types.complaint.talk.samples_min",
    ),
    (
        "empirical-negative",
        TALK + "{dist = 'empirical', samples_min = [1, -2]}",
        "call_types.complaint.talk.samples_min",
    ),
    (
        "mixture-empty",
        TALK + "{dist = 'mixture', components = []}",
        "call_types.complaint.talk.components",
    ),
    (
        "mixture-zero-weight",
        TALK
        + "{dist = 'mixture', components = [{weight = 0, dist = 'exponential', mean_min = 1}]}",
        "call_types.complaint.talk.components[0].weight",
    ),
    (
        "mixture-without-weight",
        TALK + "{dist = 'mixture', components = [{dist = 'exponential', mean_min = 1}]}",
        "call_types.complaint.talk.components[0]",
    ),
    (
        "redial-delay-incomplete",
        "[call_types.other.redial]\ndelay_after_busy = {dist = 'exponential'}",
        "call_types.other.redial.delay_after_busy",
    ),
]

#: (id, command-line options, the dotted key the error must name)
BAD_OPTIONS: list[tuple[str, list[str], str]] = [
    ("days-0", ["--days", "0"], "horizon.days"),
    ("days-negative", ["--days", "-1"], "horizon.days"),
    ("days-nan", ["--days", "nan"], "horizon.days"),
    ("days-within-warmup", ["--days", "0.5"], "horizon.warmup_days"),
    ("replications-0", ["--replications", "0"], "horizon.replications"),
    ("seed-negative", ["--seed", "-1"], "horizon.seed"),
]


def _run(path: Path, out: Path, *options: str) -> Result:
    return CliRunner().invoke(
        main, ["run", str(path), "--out", str(out), "--workers", "1", *options]
    )


def _variant(folder: Path, snippet: str, name: str = "bad.toml") -> Path:
    path = folder / name
    path.write_text(f'extends = "{BASELINE.as_posix()}"\n' + textwrap.dedent(snippet) + "\n")
    return path


def assert_rejected(result: Result, out: Path, file_name: str, key: str) -> re.Match[str]:
    """Exit 2, one ``error: FILE: KEY: must be ...; got ...`` line, no traceback, no files."""
    err = result.stderr
    assert result.exit_code == 2, (result.exit_code, err, result.exception)
    assert "Traceback" not in result.output
    assert err.endswith("\n") and err.count("\n") == 1, err
    m = MESSAGE.fullmatch(err.rstrip("\n"))
    assert m, err
    assert Path(m["file"]).name == file_name, err
    assert m["key"] == key, err
    assert result.stdout == ""
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))
    return m


@pytest.mark.parametrize(("snippet", "key"), [pytest.param(s, k, id=i) for i, s, k in BAD_VALUES])
def test_bad_value_is_rejected_with_file_and_key(tmp_path: Path, snippet: str, key: str) -> None:
    path = _variant(tmp_path, snippet)
    assert_rejected(_run(path, tmp_path / "out"), tmp_path / "out", "bad.toml", key)


def test_every_case_id_is_unique() -> None:
    ids = [i for i, _, _ in BAD_VALUES] + [i for i, _, _ in BAD_OPTIONS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("options", "key"), [pytest.param(o, k, id=i) for i, o, k in BAD_OPTIONS])
def test_bad_command_line_override_is_rejected(
    tmp_path: Path, options: list[str], key: str
) -> None:
    path = _variant(tmp_path, "", "good.toml")
    assert_rejected(_run(path, tmp_path / "out", *options), tmp_path / "out", "good.toml", key)


# --- files: missing, unreadable, and extends chains --------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_rejected(_run(tmp_path / "missing.toml", out), out, "missing.toml", "file")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "folder.toml").mkdir()
    out = tmp_path / "out"
    assert_rejected(_run(tmp_path / "folder.toml", out), out, "folder.toml", "file")


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        pytest.param(b"[horizon\ndays = 3\n", "valid TOML", id="unclosed-table"),
        pytest.param(b"days = = 3\n", "valid TOML", id="bad-value"),
        pytest.param(b"[horizon]\ndays = 2\ndays = 3\n", "valid TOML", id="duplicate-key"),
        pytest.param(b"\xff\xfe[horizon]\n", "UTF-8 text", id="not-utf8"),
    ],
)
def test_unreadable_file(tmp_path: Path, text: bytes, allowed: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(text)
    out = tmp_path / "out"
    m = assert_rejected(_run(path, out), out, "broken.toml", "file")
    assert m["allowed"] == allowed
    assert m["got"].startswith("<")  # the parser's own words (line, column) vary by Python


def test_extends_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "child.toml"
    path.write_text('extends = "nowhere.toml"\n')
    out = tmp_path / "out"
    m = assert_rejected(_run(path, out), out, "child.toml", "extends")
    assert m["got"] == "'nowhere.toml'"


def test_extends_not_a_path(tmp_path: Path) -> None:
    path = tmp_path / "child.toml"
    path.write_text("extends = 3\n")
    out = tmp_path / "out"
    assert_rejected(_run(path, out), out, "child.toml", "extends")


def test_extends_broken_parent_names_the_parent(tmp_path: Path) -> None:
    (tmp_path / "parent.toml").write_text("[horizon\n")
    path = tmp_path / "child.toml"
    path.write_text('extends = "parent.toml"\n')
    out = tmp_path / "out"
    assert_rejected(_run(path, out), out, "parent.toml", "file")


def test_extends_cycle_shows_the_loop(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    out = tmp_path / "out"
    m = assert_rejected(_run(tmp_path / "a.toml", out), out, "b.toml", "extends")
    assert m["got"] == "<a.toml -> b.toml -> a.toml>"


def test_extends_itself(tmp_path: Path) -> None:
    (tmp_path / "self.toml").write_text('extends = "self.toml"\n')
    out = tmp_path / "out"
    m = assert_rejected(_run(tmp_path / "self.toml", out), out, "self.toml", "extends")
    assert m["got"] == "<self.toml -> self.toml>"


def test_error_in_parent_names_the_file_that_was_run(tmp_path: Path) -> None:
    """A value is validated after merging, so the file run is the one named."""
    _variant(tmp_path, "[lines]\ncount = 0", "parent.toml")
    path = tmp_path / "child.toml"
    path.write_text('extends = "parent.toml"\n[horizon]\ndays = 2\n')
    out = tmp_path / "out"
    assert_rejected(_run(path, out), out, "child.toml", "lines.count")


# --- what the rules allow: the boundary of every two-sided rule is accepted ---------------


@pytest.mark.parametrize(
    "snippet",
    [
        pytest.param("[horizon]\nwarmup_days = 0", id="no-warmup"),
        pytest.param("[horizon]\nseed = 0", id="seed-0"),
        pytest.param("[staff]\nseats = 150", id="seats-equal-people"),
        pytest.param("[staff]\nteams = 3", id="teams-equal-shifts"),
        pytest.param("[staff]\nranks.constable = {count = 150, women = 150}", id="all-women"),
        pytest.param(
            "[staff]\nranks.sub_inspector = {count = 3, women = 0}", id="one-officer-a-team"
        ),
        pytest.param("[staff]\nabsence_rate = 0", id="no-absence"),
        pytest.param("[staff]\nweekly_offs = 6", id="six-offs"),
        pytest.param(
            "[staff]\nranks.sub_inspector = {count = 0, women = 0}\n"
            "[call_types.complaint]\nescalation_share = 0",
            id="no-officers-without-escalation",
        ),
        pytest.param(
            "[staff]\nbreaks = [{after_h = 6.5, duration_min = 30, groups = 3}]",
            id="break-ending-at-shift-end",
        ),
        pytest.param(
            "[staff]\nshifts = [{start = '23:59', hours = 24}]\nteams = 1", id="clock-23-59"
        ),
        pytest.param(
            "[staff]\nallow_uncovered_hours = true\n"
            "shifts = [{name = 'day', start = '06:00', hours = 8}]",
            id="uncovered-hours-allowed",
        ),
        pytest.param(
            HEADCOUNT + "allow_uncovered_hours = true\nheadcount.call_takers = [10, 10, 0]",
            id="empty-headcount-shift-allowed",
        ),
        pytest.param(SURGE + "start_h = 0\nduration_h = 1\nmultiplier = 0", id="surge-at-start"),
        pytest.param("[lines]\ncount = 'inf'", id="unlimited-lines"),
        pytest.param(
            "[targets]\nservice_level_min = 1\nabandon_rate_max = 0\nblock_rate_max = 0\n"
            "asa_max_s = 0\ngolden_hour_share_min = 0\ninterval_min = 15\n"
            "service_level_of = 'offered'",
            id="targets-at-their-bounds",
        ),
        pytest.param("[call_types.complaint]\npatience = 'inf'", id="infinite-patience"),
        pytest.param("[money]\nheld_floor = 0.25\nheld_peak = 0.75", id="money-held-1"),
        pytest.param(TALK + "{dist = 'uniform', low_s = 0, high_min = 1}", id="uniform-from-0"),
        pytest.param(TALK + "{dist = 'constant', value_min = 17}", id="constant-alias"),
        pytest.param(
            "[call_types.complaint]\nshare = 0\n[call_types.other]\nshare = 0.7", id="share-0"
        ),
    ],
)
def test_boundary_value_is_accepted(tmp_path: Path, snippet: str) -> None:
    load_scenario(_variant(tmp_path, snippet))


def test_uncovered_hours_run_when_allowed(tmp_path: Path) -> None:
    """The one rule with a switch: with it set, a day-only helpline simulates."""
    path = _variant(tmp_path, "[staff]\nallow_uncovered_hours = true\nshifts = [" + DAY_ONLY + "]")
    result = _run(path, tmp_path / "out", "--days", "2", "--replications", "1", "--json")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "summary.json").is_file()


# --- extends merge rules (docs/scenarios.md "extends") ------------------------------------


def test_extends_merges_tables_and_replaces_arrays(tmp_path: Path) -> None:
    sc = load_scenario(
        _variant(
            tmp_path,
            "[staff]\nseats = 20\nshifts = [{name = 'all', start = '00:00', hours = 24}]",
        )
    )
    assert sc.staff.seats == 20
    assert sc.staff.call_taker_ranks == ("constable",)  # merged: inherited from the baseline
    assert [s.name for s in sc.staff.shifts] == ["all"]  # replaced, not appended


def test_extends_replaces_a_distribution_with_a_dist_key(tmp_path: Path) -> None:
    sc = load_scenario(_variant(tmp_path, TALK + "{dist = 'gamma', mean_min = 20, cv = 0.5}"))
    talk = sc.call_types[0].talk
    assert (talk.kind, round(talk.mean)) == ("gamma", 1200)


def test_extends_patches_a_distribution_without_a_dist_key(tmp_path: Path) -> None:
    sc = load_scenario(_variant(tmp_path, TALK + "{mean_min = 20}"))
    talk = sc.call_types[0].talk
    assert (talk.kind, round(talk.mean), talk.p("sigma")) == ("lognormal", 1200, 0.5)


def test_name_is_the_file_stem_unless_set(tmp_path: Path) -> None:
    (tmp_path / "plain.toml").write_text(
        BASELINE.read_text().replace('name = "baseline_2023"\n', "")
    )
    assert load_scenario(tmp_path / "plain.toml").name == "plain"


# --- a failed run keeps the previous results ----------------------------------------------


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def complete_output(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An output folder from a successful two-day run, and its files' hashes."""
    out = tmp_path / "out"
    result = _run(BASELINE, out, "--days", "2", "--replications", "1", "--json")
    assert result.exit_code == 0, result.output
    before = _digest(out)
    assert "summary.json" in before and "attempts.parquet" in before
    return out, before


def test_rejected_scenario_keeps_earlier_output(
    tmp_path: Path, complete_output: tuple[Path, dict[str, str]]
) -> None:
    out, before = complete_output
    bad = _variant(tmp_path, "[lines]\ncount = 0")
    assert _run(bad, out).exit_code == 2
    assert _run(BASELINE, out, "--days", "0").exit_code == 2
    assert _digest(out) == before


def test_run_failing_while_writing_keeps_earlier_output(
    tmp_path: Path,
    complete_output: tuple[Path, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash after the tables are staged (here: drawing a chart) replaces nothing."""
    out, before = complete_output

    def broken_chart(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(plots, "save", broken_chart)
    result = _run(BASELINE, out, "--days", "2", "--replications", "1", "--seed", "7", "--json")
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert _digest(out) == before  # same files, same bytes, no staging folder left
