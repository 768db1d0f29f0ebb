"""Fuzz: call logs with hostile cells through ``helpline calibrate``.

A small synthetic CSV log (tests/calibrate/synthetic_log.py) and the first rows of the bank
log each get a few cells replaced by hostile values (blank, NaN, infinities, integers beyond
float range, impossible and far dates, offsets beside times without one, control characters,
very long strings, commas). Every case must calibrate (exit 0) or stop with the log's one-line
error (exit 2), never a traceback. The seed comes from the checkout's commit, as in
tests/cli/test_fuzz_scenarios.py (``HELPLINE_FUZZ_SEED`` to try another).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_seed import fuzz_seed
from synthetic_log import Truth, write_log

from sim.calibrate.data import BANK_LOG, shared_data
from sim.cli import main

CASES = 40
CSV_HOSTILE = ["", "nan", "inf", "-1", "1e400", "9" * 400, "99999-01-01 00:00:00",
               "2024-02-30 10:00:00", "2024-01-01T10:00:00+05:30", "0001-01-01 00:00:00",
               "9999-12-31 23:59:59", "x" * 5000, "\x00", "2024-01-01 25:00:00", "10:00:00",
               "ANSWERED", "ignore", "blocked", "1e-300", "2024-01-01 09:00:00.9999999999",
               '"', "a,b"]  # fmt: skip
BANK_HOSTILE = ["", "nan", "-1", "1e400", "9" * 400, "999999", "991332", "25:61:61", "0:00:00",
                "AGENT", "HANG", "PHANTOM", "x" * 5000, "1e-300", "7:02", "990229", "000000",
                "P,S", "0.5"]  # fmt: skip


def _mutated(rows: list[list[str]], hostile: list[str], rng: random.Random) -> list[list[str]]:
    out = [list(r) for r in rows]
    for _ in range(rng.choice([1, 1, 2, 4])):
        row, col = rng.randrange(1, len(out)), rng.randrange(len(out[0]))
        out[row][col] = rng.choice(hostile)
    return out


@pytest.mark.slow
def test_hostile_cells_calibrate_or_give_the_logs_one_line_error(tmp_path: Path) -> None:
    seed = fuzz_seed()
    rng = random.Random(seed)
    write_log(tmp_path / "base.csv", Truth(days=2, callers_per_day=150))
    csv_rows = list(csv.reader(io.StringIO((tmp_path / "base.csv").read_text())))
    bank_lines = shared_data(BANK_LOG).read_text().splitlines()[:400]
    bank_rows = [line.split("\t") for line in bank_lines]
    outcomes = {0: 0, 2: 0}
    for i in range(CASES):
        if rng.random() < 0.5:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(_mutated(csv_rows, CSV_HOSTILE, rng))
            log, options = tmp_path / "log.csv", ["--format", "csv"]
            log.write_text(buffer.getvalue(), encoding="utf-8")
        else:
            rows = _mutated(bank_rows, BANK_HOSTILE, rng)
            log, options = tmp_path / "log.tsv", []
            log.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
        out = tmp_path / f"case{i}" / "s.toml"
        res = CliRunner().invoke(main, ["calibrate", str(log), "--out", str(out), *options])
        where = f"seed {seed} case {i} ({log.name})"
        assert res.exit_code in (0, 2), f"{where}: {res.exception!r}"
        if res.exit_code == 2:
            lines = res.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), (where, res.stderr)
            assert not out.exists(), where
        else:
            assert out.exists(), where
        outcomes[res.exit_code] += 1
    print(f"{CASES} logs: {outcomes[0]} calibrated, {outcomes[2]} refused")  # noqa: T201
