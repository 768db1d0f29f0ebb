"""Call logs in, one canonical table of attempts out.

Two formats: ``anonymous-bank`` (the Technion "Anonymous Bank" log, tab-separated, wall-clock
``h:mm:ss`` times on a ``yymmdd`` date) and ``csv`` (any comma-separated log whose columns are
named through a map from the canonical fields below). Every format ends in :class:`CallLog`, whose
``calls`` frame has one row per attempt:

``row`` (line number in the file, the header is line 1), ``call_type``, ``priority`` (a queue
rank, lower answered first: the bank's priority customers get 0, others 1), ``caller``
("" if unidentified), ``agent`` ("" if none), ``arrived`` (wall-clock date-time the caller asked
for an agent), ``outcome`` ("answered", "abandoned" or "blocked"), ``wait_s`` (queue time: to the
answer, or to the hang-up), ``talk_s`` (NaN if not answered), ``service_start`` and
``service_end`` (date-times, NaT if not answered), and ``talk_usable`` (answered by a named agent
with a talk time > 0: the sample for talk-time fits).

A bad log raises :class:`LogError`: one line naming the file, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

FORMATS = ("anonymous-bank", "csv")

#: Canonical fields of a CSV log: name -> (required, meaning).
FIELDS: dict[str, tuple[bool, str]] = {
    "arrival": (True, "date-time the caller asked for an agent (after any voice menu)"),
    "outcome": (True, "answered, abandoned, blocked (busy tone) or ignore"),
    "queue_end": (False, "date-time the wait ended (answer or hang-up); else service_start"),
    "service_start": (False, "date-time an agent answered (answered calls)"),
    "service_end": (False, "date-time the call ended (answered calls)"),
    "caller": (False, "caller id (empty or 0 = unidentified)"),
    "agent": (False, "agent id (empty = none)"),
    "type": (False, "call type (default: one type, 'all')"),
    "priority": (False, "priority class, a whole number (default 0)"),
}
OUTCOMES = ("answered", "abandoned", "blocked", "ignore")

BANK_COLUMNS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
BANK_OUTCOMES = {"AGENT": "answered", "HANG": "abandoned", "PHANTOM": "ignore"}
DAY_S = 86_400.0


class LogError(ValueError):
    """A call log that cannot be read: the file, the row and the column, what was expected."""

    def __init__(self, file: str, row: int | None, column: str, allowed: str, got: object) -> None:
        where = f"row {row}, " if row is not None else ""
        super().__init__(f"{file}: {where}column {column!r}: must be {allowed}; got {got!r}")


@dataclass(frozen=True)
class CallLog:
    """One log, read: the attempts table and where it came from."""

    path: str
    format: str
    calls: pd.DataFrame
    ignored: int  # rows not attempts (PHANTOM calls, outcome "ignore")

    @property
    def name(self) -> str:
        """The log file's name, without its folder."""
        return Path(self.path).name

    @property
    def dates(self) -> list[dt.date]:
        """The calendar dates the log covers, in order."""
        return sorted(set(self.calls["arrived"].dt.date))


def read_log(
    path: str | Path,
    fmt: str = "anonymous-bank",
    column_map: dict[str, str] | None = None,
    time_zone: str | None = None,
) -> CallLog:
    """Read a log in format ``fmt``; ``column_map`` maps canonical fields to CSV columns."""
    path = str(path)
    if fmt == "anonymous-bank":
        return _bank(path)
    if fmt == "csv":
        return _csv(path, column_map or {}, time_zone)
    raise LogError(path, None, "--format", "one of " + ", ".join(FORMATS), fmt)


# --- shared checks ------------------------------------------------------------------------


def _first_bad(mask: pd.Series | np.ndarray) -> int | None:
    idx = np.flatnonzero(np.asarray(mask))
    return int(idx[0]) if idx.size else None


def _require_columns(path: str, have: list[str], want: list[str]) -> None:
    for col in want:
        if col not in have:
            raise LogError(
                path, 1, col, "a column of the log (" + ", ".join(have) + ")", "<missing>"
            )


#: Longest wait or call a log may record, s: a longer one is an error in the log (and would
#: overflow the fits).
LONGEST_S = 86_400.0
#: Years a log's date-times may fall in.
YEARS = (1900, 2200)
#: Call-type names the calibrated scenario can hold as its ``[call_types.NAME]`` tables.
TYPE_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _nonneg_int(path: str, df: pd.DataFrame, col: str) -> np.ndarray:
    values = pd.to_numeric(df[col], errors="coerce").astype(float)
    bad = _first_bad(~((values >= 0) & (values <= LONGEST_S) & (values % 1 == 0)))  # NaN too
    if bad is not None:
        raise LogError(
            path, bad + 2, col, f"a duration in whole seconds from 0 to {LONGEST_S:,.0f}",
            df[col].iloc[bad],
        )  # fmt: skip
    return values.to_numpy(dtype=float)


def _type_names(path: str, col: str, names: np.ndarray, raw: pd.Series) -> np.ndarray:
    """The call types as the scenario will name them: letters, digits, _ or -, else the row."""
    ok = np.array([bool(TYPE_NAME.fullmatch(str(x))) for x in names], dtype=bool)
    bad = _first_bad(~ok)
    if bad is not None:
        raise LogError(
            path, bad + 2, col, "a call type of letters, digits, _ or - (a scenario table name)",
            raw.iloc[bad],
        )  # fmt: skip
    return names


# --- the Anonymous Bank format -------------------------------------------------------------


def _clock_s(path: str, df: pd.DataFrame, col: str) -> np.ndarray:
    """Seconds after midnight of ``h:mm:ss`` wall-clock strings."""
    parts = df[col].astype(str).str.extract(r"^\s*(\d{1,2}):(\d{2}):(\d{2})\s*$")
    h, m, s = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
    bad = _first_bad(parts[0].isna() | (h > 23) | (m > 59) | (s > 59))
    if bad is not None:
        raise LogError(path, bad + 2, col, "a time of day h:mm:ss", df[col].iloc[bad])
    return (h * 3600 + m * 60 + s).to_numpy(dtype=float)


def _after(start_s: np.ndarray, end_s: np.ndarray) -> np.ndarray:
    """End instants on the start's clock: a wall-clock end before the start is the next day."""
    return np.where(end_s < start_s, end_s + DAY_S, end_s)


def _bank(path: str) -> CallLog:
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    _require_columns(path, list(df.columns), list(BANK_COLUMNS))
    line = np.arange(len(df)) + 2
    dates = pd.to_datetime(df["date"], format="%y%m%d", errors="coerce")
    bad = _first_bad(dates.isna())
    if bad is not None:
        raise LogError(path, bad + 2, "date", "a date yymmdd", df["date"].iloc[bad])
    outcome = df["outcome"].map(BANK_OUTCOMES)
    bad = _first_bad(outcome.isna())
    if bad is not None:
        raise LogError(
            path, bad + 2, "outcome", "one of " + ", ".join(BANK_OUTCOMES), df["outcome"].iloc[bad]
        )
    entry = _clock_s(path, df, "vru_entry")
    leave = _after(entry, _clock_s(path, df, "vru_exit"))
    q_time = _nonneg_int(path, df, "q_time")
    ser_time = _nonneg_int(path, df, "ser_time")
    ser_start = _clock_s(path, df, "ser_start")
    ser_exit = _clock_s(path, df, "ser_exit")
    answered = (outcome == "answered").to_numpy()
    # A service that ends before it starts on the clock is taken to cross midnight only when
    # the crossing gives the recorded ser_time (to a minute); otherwise the row is wrong.
    wrapped = ser_exit + DAY_S - ser_start
    bad = _first_bad(answered & (ser_exit < ser_start) & (np.abs(wrapped - ser_time) > 60))
    if bad is not None:
        raise LogError(
            path,
            bad + 2,
            "ser_exit",
            f"at or after ser_start ({df['ser_start'].iloc[bad]})",
            df["ser_exit"].iloc[bad],
        )
    keep = (outcome != "ignore").to_numpy()
    midnight = dates.to_numpy()
    arrived = midnight + pd.to_timedelta(leave, unit="s").to_numpy()
    start = arrived + pd.to_timedelta(q_time, unit="s").to_numpy()
    end = start + pd.to_timedelta(ser_time, unit="s").to_numpy()
    server = df["server"].str.strip()
    customer = df["customer_id"].str.strip()
    calls = pd.DataFrame(
        {
            "row": line,
            "call_type": _type_names(path, "type", df["type"].str.strip().to_numpy(), df["type"]),
            # the scenario's rank (lower answered first): priority customers (2) before others
            "priority": np.where(df["priority"].str.strip() == "2", 0, 1),
            "caller": np.where(customer.isin(["0", "", "0.0"]), "", customer),
            "agent": np.where(server == "NO_SERVER", "", server),
            "arrived": arrived,
            "outcome": outcome,
            "wait_s": q_time,
            "talk_s": np.where(answered, ser_time, np.nan),
            "service_start": np.where(answered, start, np.datetime64("NaT")),
            "service_end": np.where(answered, end, np.datetime64("NaT")),
        }
    )
    calls = calls[keep].reset_index(drop=True)
    return CallLog(path, "anonymous-bank", _finish(calls), int((~keep).sum()))


def _finish(calls: pd.DataFrame) -> pd.DataFrame:
    calls["talk_usable"] = (
        (calls["outcome"] == "answered") & (calls["agent"] != "") & (calls["talk_s"] > 0)
    )
    return calls.sort_values(["arrived", "row"], kind="stable").reset_index(drop=True)


# --- CSV with a column map ------------------------------------------------------------------


def parse_map(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``FIELD=COLUMN`` strings into a dict; raises LogError naming the option on a bad one."""
    out = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or field not in FIELDS or not column:
            raise LogError(
                "--map", None, item, "FIELD=COLUMN with FIELD one of " + ", ".join(FIELDS), item
            )
        out[field] = column
    return out


def _check_years(path: str, df: pd.DataFrame, col: str, years: pd.Series) -> None:
    """Refuse the first date-time whose year (``years``, indexed by row position) is outside
    :data:`YEARS`: beyond what nanosecond instants hold (1677-2262) it would wrap silently.
    """
    outside = ((years < YEARS[0]) | (years > YEARS[1])).to_numpy()
    if outside.any():
        row = int(years.index[np.flatnonzero(outside)[0]])
        raise LogError(
            path, row + 2, col, f"a date-time in the years {YEARS[0]} to {YEARS[1]}",
            df[col].iloc[row],
        )  # fmt: skip


def _mixed_times(
    path: str,
    df: pd.DataFrame,
    col: str,
    zone: ZoneInfo | None,
    required: np.ndarray,
    raw: pd.Series,
    blank: pd.Series,
) -> np.ndarray:
    """A column with times with a UTC offset beside times without: those without are the
    helpline's wall clock, those with are converted by ``zone`` (which they need).
    """
    aware = raw.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True) & ~blank
    if zone is None:
        first = int(np.flatnonzero(aware.to_numpy())[0])
        raise LogError(
            path, first + 2, col, "times without a UTC offset, or --time-zone to convert them to",
            df[col].iloc[first],
        )  # fmt: skip
    out = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[ns]")
    naive = ~aware & ~blank
    wall = pd.to_datetime(raw[naive], errors="coerce", format="mixed")
    utc = pd.to_datetime(raw[aware], errors="coerce", format="mixed", utc=True)
    _check_years(path, df, col, pd.concat([wall.dt.year, utc.dt.year]).sort_index())
    out[naive.to_numpy()] = wall.to_numpy(dtype="datetime64[ns]")
    out[aware.to_numpy()] = (
        utc.dt.tz_convert(zone).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    )
    bad = _first_bad((pd.isna(out) & ~blank.to_numpy()) | (blank.to_numpy() & required))
    if bad is not None:
        raise LogError(path, bad + 2, col, "a date-time YYYY-MM-DD HH:MM:SS", df[col].iloc[bad])
    return out


def _times(
    path: str, df: pd.DataFrame, col: str, zone: ZoneInfo | None, required: np.ndarray
) -> np.ndarray:
    """Wall-clock date-times of a column; blank allowed where ``required`` is False."""
    raw = df[col].astype(str).str.strip()
    blank = raw.isin(["", "nan", "NaT", "NA"])
    try:
        parsed = pd.to_datetime(raw.where(~blank), errors="coerce", format="mixed", utc=False)
    except ValueError:  # pandas refuses times with an offset beside times without one
        return _mixed_times(path, df, col, zone, required, raw, blank)
    bad = _first_bad((parsed.isna() & ~blank) | (blank & required))
    if bad is not None:
        raise LogError(path, bad + 2, col, "a date-time YYYY-MM-DD HH:MM:SS", df[col].iloc[bad])
    _check_years(path, df, col, parsed[~blank].dt.year)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        if zone is None:
            raise LogError(
                path,
                2,
                col,
                "times without a UTC offset, or --time-zone to convert them to",
                df[col].iloc[0],
            )
        parsed = parsed.dt.tz_convert(zone).dt.tz_localize(None)
    elif parsed.dtype == object:  # mixed offsets: convert each
        if zone is None:
            raise LogError(path, 2, col, "times with one kind of offset", df[col].iloc[0])
        parsed = pd.to_datetime(raw.where(~blank), utc=True, format="mixed")
        parsed = parsed.dt.tz_convert(zone).dt.tz_localize(None)
    return parsed.to_numpy(dtype="datetime64[ns]")


def _csv(path: str, column_map: dict[str, str], time_zone: str | None) -> CallLog:
    zone = None
    if time_zone:
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise LogError(path, None, "--time-zone", "an IANA zone name", time_zone) from None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = {f: column_map.get(f, f) for f in FIELDS}
    _require_columns(path, list(df.columns), [cols[f] for f, (req, _) in FIELDS.items() if req])
    outcome = df[cols["outcome"]].str.strip().str.lower()
    bad = _first_bad(~outcome.isin(OUTCOMES))
    if bad is not None:
        raise LogError(
            path,
            bad + 2,
            cols["outcome"],
            "one of " + ", ".join(OUTCOMES),
            df[cols["outcome"]].iloc[bad],
        )
    answered = (outcome == "answered").to_numpy()
    abandoned = (outcome == "abandoned").to_numpy()
    for f in ("service_start", "service_end"):
        if answered.any():
            _require_columns(path, list(df.columns), [cols[f]])
    if abandoned.any() and cols["queue_end"] not in df.columns:
        _require_columns(path, list(df.columns), [cols["queue_end"]])
    never = np.zeros(len(df), dtype=bool)
    arrival = _times(path, df, cols["arrival"], zone, np.ones(len(df), dtype=bool))
    nat = np.full(len(df), np.datetime64("NaT"), dtype="datetime64[ns]")
    start = _times(path, df, cols["service_start"], zone, answered) if answered.any() else nat
    end = _times(path, df, cols["service_end"], zone, answered) if answered.any() else nat
    q_end = (
        _times(path, df, cols["queue_end"], zone, abandoned)
        if cols["queue_end"] in df.columns
        else nat
    )
    q_end = np.where(answered & np.isnat(q_end), start, q_end)
    wait_s = (q_end - arrival) / np.timedelta64(1, "s")
    talk_s = (end - start) / np.timedelta64(1, "s")
    for mask, col, what in (
        ((answered | abandoned) & (wait_s < 0), cols["queue_end"], "at or after the arrival"),
        (answered & (start < arrival), cols["service_start"], "at or after the arrival"),
        (answered & (talk_s < 0), cols["service_end"], "at or after service_start"),
        (
            (answered | abandoned) & (wait_s > LONGEST_S),
            cols["queue_end"],
            "within a day of the arrival",
        ),
        (answered & (talk_s > LONGEST_S), cols["service_end"], "within a day of service_start"),
    ):
        bad = _first_bad(mask)
        if bad is not None:
            column = col if col in df.columns else cols["service_start"]
            raise LogError(path, bad + 2, column, what, df[column].iloc[bad])
    wait_s = np.where(outcome == "blocked", 0.0, wait_s)
    prio = np.zeros(len(df), dtype=int)
    if cols["priority"] in df.columns:
        p = pd.to_numeric(df[cols["priority"]], errors="coerce")
        p = p.astype(float)
        bad = _first_bad(~((p.abs() <= 1e6) & (p == p.round())))  # NaN and inf too
        if bad is not None:
            raise LogError(
                path, bad + 2, cols["priority"], "a whole number from -1,000,000 to 1,000,000",
                df[cols["priority"]].iloc[bad],
            )  # fmt: skip
        prio = p.to_numpy(dtype=int)

    def text(field: str, default: str) -> np.ndarray:
        if cols[field] not in df.columns:
            return np.full(len(df), default, dtype=object)
        s = df[cols[field]].str.strip()
        return np.where(s.isin(["", "0"]), "" if field != "type" else default, s)

    calls = pd.DataFrame(
        {
            "row": np.arange(len(df)) + 2,
            "call_type": (
                _type_names(path, cols["type"], text("type", "all"), df[cols["type"]])
                if cols["type"] in df.columns
                else text("type", "all")
            ),
            "priority": prio,
            "caller": text("caller", ""),
            "agent": text("agent", ""),
            "arrived": arrival,
            "outcome": outcome.to_numpy(),
            "wait_s": wait_s,
            "talk_s": np.where(answered, talk_s, np.nan),
            "service_start": np.where(answered, start, nat),
            "service_end": np.where(answered, end, nat),
        }
    )
    keep = (outcome != "ignore").to_numpy() & ~never
    calls = calls[keep].reset_index(drop=True)
    if cols["agent"] not in df.columns:  # no agent ids: every answered call counts as served
        calls["agent"] = np.where(calls["outcome"] == "answered", "?", "")
    return CallLog(path, "csv", _finish(calls), int((~keep).sum()))
