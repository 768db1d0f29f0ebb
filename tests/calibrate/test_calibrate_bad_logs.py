"""A bad call log stops ``helpline calibrate`` and ``backtest`` with one line naming the row
and the column, exit code 2, and nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main

BANK_HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
)
BANK_ROWS = [
    "AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT",
    "AA0101\t2\t55\t2\tPS\t990201\t8:09:16\t8:09:22\t6\t8:09:22\t8:09:27\t5\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "AA0101\t3\t55\t2\tPS\t990201\t23:59:00\t23:59:10\t10\t0:00:00\t0:00:00\t0\tAGENT\t23:59:10\t0:01:10\t120\tTOVA",
]
CSV_HEADER = "arrival,outcome,queue_end,service_start,service_end,agent,type"
CSV_ROWS = [
    "2024-01-01 09:00:00,answered,2024-01-01 09:00:10,2024-01-01 09:00:10,2024-01-01 09:03:00,a1,x",
    "2024-01-01 09:01:00,abandoned,2024-01-01 09:02:00,,,,x",
]


def _run(tmp_path: Path, name: str, text: str, *args: str) -> tuple[int, str, Path]:
    log = tmp_path / name
    log.write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "s.toml"
    res = CliRunner().invoke(main, ["calibrate", str(log), "--out", str(out), *args])
    return res.exit_code, res.output, out


def _bank(rows: list[str]) -> str:
    return "\n".join([BANK_HEADER, *rows]) + "\n"


def _csv(rows: list[str], header: str = CSV_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_a_good_small_log_calibrates(tmp_path: Path) -> None:
    """The rows above are valid (the last one crosses midnight): each bad case changes one cell."""
    code, out, scenario = _run(tmp_path, "ok.tsv", _bank(BANK_ROWS))
    assert code == 0, out
    assert scenario.exists()
    code, out, scenario = _run(tmp_path, "ok.csv", _csv(CSV_ROWS), "--format", "csv")
    assert code == 0, out


@pytest.mark.parametrize(
    ("name", "rows", "where"),
    [
        (
            "missing column",
            [BANK_HEADER.replace("\tq_time", ""), *BANK_ROWS],
            "row 1, column 'q_time'",
        ),
        (
            "bad time",
            [BANK_HEADER, BANK_ROWS[0].replace("7:02:56", "7:62:56"), BANK_ROWS[1]],
            "row 2, column 'vru_exit'",
        ),
        (
            "negative duration",
            [BANK_HEADER, BANK_ROWS[0], BANK_ROWS[1].replace("\t5\tHANG", "\t-5\tHANG")],
            "row 3, column 'q_time'",
        ),
        (
            "service ends first",
            [BANK_HEADER, BANK_ROWS[0].replace("\t7:05:41\t", "\t7:01:41\t"), BANK_ROWS[1]],
            "row 2, column 'ser_exit'",
        ),
        (
            "bad date",
            [BANK_HEADER, BANK_ROWS[0].replace("990201", "991301"), BANK_ROWS[1]],
            "row 2, column 'date'",
        ),
        (
            "bad outcome",
            [BANK_HEADER, BANK_ROWS[0], BANK_ROWS[1].replace("HANG", "LOST")],
            "row 3, column 'outcome'",
        ),
        (
            "duration beyond float range",
            [BANK_HEADER, BANK_ROWS[0], BANK_ROWS[1].replace("\t5\tHANG", "\t1e400\tHANG")],
            "row 3, column 'q_time': must be a duration in whole seconds from 0 to 86,400",
        ),
        (
            "service of more than a day",
            [BANK_HEADER, BANK_ROWS[0].replace("\t166\tDORIT", "\t100000\tDORIT"), BANK_ROWS[1]],
            "row 2, column 'ser_time'",
        ),
        (
            "type no scenario can name",
            [BANK_HEADER, BANK_ROWS[0], BANK_ROWS[1].replace("\tPS\t", "\tP,S\t")],
            "row 3, column 'type': must be a call type of letters, digits, _ or -",
        ),
    ],
)
def test_bad_bank_logs(tmp_path: Path, name: str, rows: list[str], where: str) -> None:
    code, out, scenario = _run(tmp_path, "bad.tsv", "\n".join(rows) + "\n")
    assert code == 2, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and where in lines[0], out
    assert not scenario.exists() and not scenario.parent.exists()


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (
            "missing column",
            _csv([r.split(",", 1)[1] for r in CSV_ROWS], CSV_HEADER.split(",", 1)[1]),
            "row 1, column 'arrival'",
        ),
        (
            "bad time",
            _csv([CSV_ROWS[0], CSV_ROWS[1].replace("2024-01-01 09:01:00", "yesterday")]),
            "row 3, column 'arrival'",
        ),
        (
            "service ends first",
            _csv([CSV_ROWS[0].replace("09:03:00", "08:03:00"), CSV_ROWS[1]]),
            "row 2, column 'service_end'",
        ),
        (
            "negative wait",
            _csv([CSV_ROWS[0], CSV_ROWS[1].replace("09:02:00", "08:02:00")]),
            "row 3, column 'queue_end'",
        ),
        (
            "answer before arrival",
            _csv(
                [
                    CSV_ROWS[0].replace("09:00:10,2024-01-01 09:03", "08:00:10,2024-01-01 09:03"),
                    CSV_ROWS[1],
                ]
            ),
            "row 2, column 'service_start'",
        ),
        (
            "an offset beside times without one, and no zone",
            _csv([CSV_ROWS[0], CSV_ROWS[1].replace("2024-01-01 09:01:00", "2024-01-01 03:31:00Z")]),
            "row 3, column 'arrival': must be times without a UTC offset, or --time-zone",
        ),
        (
            "a date-time beyond the years a log may hold",
            _csv([CSV_ROWS[0].replace("2024-01-01 09:03:00", "9999-12-31 23:59:59"), CSV_ROWS[1]]),
            "row 2, column 'service_end': must be a date-time in the years 1900 to 2200",
        ),
        (
            "a call of more than a day",
            _csv([CSV_ROWS[0].replace("2024-01-01 09:03:00", "2024-01-03 09:03:00"), CSV_ROWS[1]]),
            "row 2, column 'service_end': must be within a day of service_start",
        ),
        (
            "type no scenario can name",
            _csv([CSV_ROWS[0], CSV_ROWS[1].replace(",,,,x", ',,,,"fraud, urgent"')]),
            "row 3, column 'type': must be a call type of letters, digits, _ or -",
        ),
    ],
)
def test_bad_csv_logs(tmp_path: Path, name: str, text: str, where: str) -> None:
    code, out, scenario = _run(tmp_path, "bad.csv", text, "--format", "csv")
    assert code == 2, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and where in lines[0], out
    assert not scenario.exists()


def test_a_column_map_renames_fields(tmp_path: Path) -> None:
    text = _csv(CSV_ROWS, CSV_HEADER.replace("arrival", "t_call").replace("type", "queue"))
    code, out, _ = _run(
        tmp_path, "m.csv", text, "--format", "csv", "--map", "arrival=t_call", "--map", "type=queue"
    )
    assert code == 0, out
    code, out, _ = _run(tmp_path, "m.csv", text, "--format", "csv", "--map", "arrivl=t_call")
    assert code == 2 and "--map" in out and "arrivl=t_call" in out, out


def test_times_with_and_without_offsets_are_read_with_a_zone(tmp_path: Path) -> None:
    """Without an offset: the helpline's wall clock; with one: converted to the zone's."""
    text = _csv([CSV_ROWS[0], CSV_ROWS[1].replace("2024-01-01 09:01:00", "2024-01-01 03:31:00Z")])
    code, out, scenario = _run(tmp_path, "mixed.csv", text, "--format", "csv", "--time-zone",
                               "Asia/Kolkata")  # fmt: skip
    assert code == 0, out  # 03:31 UTC is 09:01 in Kolkata, before the 09:02 hang-up
    assert scenario.exists()


def test_a_far_date_among_times_with_and_without_offsets_is_named(tmp_path: Path) -> None:
    """The years check holds where offsets mix too (the year 9999 once wrapped silently)."""
    text = _csv([CSV_ROWS[0], CSV_ROWS[1].replace("2024-01-01 09:01:00", "9999-01-01 03:31:00Z")])
    code, out, scenario = _run(tmp_path, "mixed.csv", text, "--format", "csv", "--time-zone",
                               "Asia/Kolkata")  # fmt: skip
    assert code == 2, out
    assert "row 3, column 'arrival': must be a date-time in the years 1900 to 2200" in out
    assert not scenario.exists()


def test_times_with_offsets_need_a_zone_and_are_converted(tmp_path: Path) -> None:
    rows = [r.replace(":00,", ":00+00:00,").replace(":10,", ":10+00:00,") for r in CSV_ROWS]
    rows = [
        ",".join(c + "+00:00" if c.startswith("2024") and "+" not in c else c for c in r.split(","))
        for r in rows
    ]
    code, out, _ = _run(tmp_path, "z.csv", _csv(rows), "--format", "csv")
    assert code == 2 and "--time-zone" in out, out
    code, out, scenario = _run(
        tmp_path, "z.csv", _csv(rows), "--format", "csv", "--time-zone", "Asia/Kolkata"
    )
    assert code == 0, out
    assert "start_date = 2024-01-01" in scenario.read_text()
    code, out, _ = _run(
        tmp_path, "z.csv", _csv(rows), "--format", "csv", "--time-zone", "Mars/Olympus"
    )
    assert code == 2 and "--time-zone" in out, out
