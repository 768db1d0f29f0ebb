"""The sweep and compare options parsed into plain values: --vary, --set, --points."""

import pytest

from sim.cli.options import parse_set, parse_vary, read_points_csv
from sim.errors import ExperimentError
from sim.experiment.grid import grid


def test_parse_vary_and_grid_order():
    vary = parse_vary(["lines.count=30,45,unlimited", "arrivals.callers_per_day=1500,3000"])
    assert vary == {
        "lines.count": [30, 45, "unlimited"],
        "arrivals.callers_per_day": [1500, 3000],
    }
    pts = grid(vary)
    assert len(pts) == 6
    assert pts[0] == {"lines.count": 30, "arrivals.callers_per_day": 1500}
    assert pts[1] == {"lines.count": 30, "arrivals.callers_per_day": 3000}  # last key fastest
    assert grid({}) == [{}]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["lines.count"], r"--vary 'lines.count': expected KEY=VALUE"),
        (["lines.count=1", "lines.count=2"], r"--vary lines.count: given twice"),
        (
            ["horizon.replications=3,5"],
            r"horizon.replications cannot be varied; use --replications",
        ),
        ([" =3"], r"is not a dotted scenario key"),
    ],
)
def test_parse_vary_errors(options, message):
    with pytest.raises(ExperimentError, match=message):
        parse_vary(options)


def test_parse_set_takes_one_value():
    assert parse_set(["horizon.days=2"]) == {"horizon.days": 2}
    with pytest.raises(ExperimentError, match=r"--set horizon.days: one value expected"):
        parse_set(["horizon.days=2,3"])


def test_points_csv(tmp_path):
    f = tmp_path / "points.csv"
    f.write_text('lines.count,queue.discipline\n30,fifo\nunlimited,"""priority"""\n\n')
    assert read_points_csv(f) == [
        {"lines.count": 30, "queue.discipline": "fifo"},
        {"lines.count": "unlimited", "queue.discipline": "priority"},
    ]
    f.write_text("lines.count,staff.seats\n30\n")
    with pytest.raises(ExperimentError, match=r"line 2: 1 cells for 2 keys"):
        read_points_csv(f)
    f.write_text("lines.count\n")
    with pytest.raises(ExperimentError, match=r"at least one row"):
        read_points_csv(f)
