"""The one value formatter and the one JSON-value converter."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.report.format import format_diff, format_interval, format_value
from sim.report.jsonvalues import json_records, json_value


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.1234, "share", "12.3%"),
        (1234.0, "callers", "1,234"),
        (12.0, "attempts", "12"),
        (12.345, "s", "12.35"),
        (12345.6, "s", "12,346"),
        (math.nan, "s", "n/a"),
        (None, "share", "n/a"),
        (pd.NA, "s", "n/a"),
    ],
)
def test_format_value(value, unit, text) -> None:
    assert format_value(value, unit) == text


def test_format_options_diffs_and_intervals() -> None:
    assert format_value(0.12345, "share", share_decimals=2) == "12.35%"
    assert format_value(3.0, "s", with_unit=True) == "3.00 s"
    assert format_diff(0.012, "share") == "+1.2 pp"
    assert format_diff(-2.5, "s") == "-2.50"
    assert format_diff(2500.0, "callers") == "+2,500"
    assert format_interval(1.0, 2.0, "s") == "1.00 to 2.00"
    assert format_interval(-0.01, 0.02, "share", diff=True, sep=", ") == "-1.0 pp, +2.0 pp"
    assert format_interval(math.nan, 2.0, "s") == "n/a"


def test_json_value_makes_valid_json() -> None:
    doc = {
        "nan": math.nan,
        "inf": math.inf,
        "np": np.float64(1.5),
        "int": np.int64(3),
        "na": pd.NA,
        "list": [np.nan, 1],
        "text": "x",
    }
    out = json_value(doc)
    assert out == {"nan": None, "inf": None, "np": 1.5, "int": 3, "na": None,
                   "list": [None, 1], "text": "x"}  # fmt: skip
    assert type(out["int"]) is int
    json.dumps(out, allow_nan=False)
    assert json_records([{"a": np.nan}]) == [{"a": None}]
