"""``helpline report`` on a run, a compare and a sweep folder: small self-contained pages with
every figure the command printed, drawn in headless Chromium at phone and desktop widths.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from browser import browser, not_blank, open_page
from click.testing import CliRunner
from tests_paths import SCENARIOS

from sim.cli import main

__all__ = ["browser"]  # the fixture, imported for pytest

SMALL = ["--set", "horizon.days=2", "--set", "horizon.warmup_days=1"]


def _invoke(args: list[str]) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each kind of output folder with what its command printed."""
    base = tmp_path_factory.mktemp("out")
    run = _invoke(["run", str(SCENARIOS / "scam_wave.toml"), "-r", "3", "--workers", "1",
                   "--out", str(base / "run")])  # fmt: skip
    compare = _invoke(["compare", str(SCENARIOS / "scam_wave.toml"),
                       str(SCENARIOS / "lines_45.toml"), *SMALL, "-r", "3",
                       "--executor", "serial", "--out", str(base / "compare")])  # fmt: skip
    sweep = _invoke(["sweep", str(SCENARIOS / "scam_wave.toml"), "--vary", "staff.seats=30,40",
                     "-r", "2", "--executor", "serial", "--out", str(base / "sweep")])  # fmt: skip
    return {
        "run": (base / "run", run),
        "compare": (base / "compare", compare),
        "sweep": (base / "sweep", sweep),
    }


def _page_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _printed_numbers(printout: str, kind: str) -> list[str]:
    """The figures a printout shows (numbers with their signs, commas, decimals, % and pp):
    the metric rows of run and compare (indented), the point rows of a sweep.
    """
    lines = printout.splitlines()
    if kind == "sweep":
        start = next(i for i, x in enumerate(lines) if x.startswith("point"))
        rows = [x for x in lines[start + 1 :] if x.strip() and not x.startswith("runs.parquet")]
    elif kind == "run":  # metric rows and the against-targets lines, not the folder line
        advice = ("Tables, summary.json", "Warning:", "A +/-")  # the folder, the small-R advice
        rows = [x for x in lines[1:] if x.strip() and not x.startswith(advice)]
    else:
        rows = [x for x in lines if x.startswith("  ")]
    assert rows
    return re.findall(r"[+-]?\d[\d,]*(?:\.\d+)?(?:%| pp)?", "\n".join(rows))


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_report_has_every_printed_figure_and_is_small(folders, kind: str) -> None:
    folder, printed = folders[kind]
    out = folder / "report.html"
    said = _invoke(["report", str(folder)])
    assert f"Report of the {kind}" in said
    assert out.stat().st_size < 1_000_000
    text = _page_text(out)
    words = set(re.findall(r"[+-]?\d[\d,]*(?:\.\d+)?(?:%| pp)?", text))
    missing = [n for n in _printed_numbers(printed, kind) if n not in words]
    assert not missing, missing[:20]
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "src=" not in html


def test_run_report_shows_the_figures_a_planner_needs(folders) -> None:
    folder, _ = folders["run"]
    _invoke(["report", str(folder), "--out", str(folder / "r.html")])
    html = (folder / "r.html").read_text(encoding="utf-8")
    for heading in ("Headline figures", "Against targets", "Worst day", "Typical day",
                    "Service level by hour of day and weekday", "Reporting delay",
                    "golden hour", "Occupancy and overtime by shift",
                    "The scenario and its assumptions"):  # fmt: skip
        assert heading in html, heading
    assert html.count("<svg") >= 6  # two days, heat map, delay stages, occupancy, overtime
    assert 'class="lab S"' in html and 'class="lab A"' in html  # sourced / assumed labels
    assert "arrivals.surges.multiplier" in html
    assert "Binding at the peak hours" in html  # from the summary's shares
    assert "Targets stated in the scenario" in html


def test_report_of_a_folder_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and "RUN_DIR" in res.output
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_a_damaged_file_in_the_folder_is_one_line_naming_it(
    folders, kind: str, tmp_path: Path
) -> None:
    import shutil

    source, _ = folders[kind]
    for name in sorted(p.name for p in source.iterdir() if p.suffix in (".json", ".parquet")):
        for damage in (b"", b"\x00\xffnot a file helpline wrote {["):
            folder = tmp_path / "copy"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(source, folder)
            (folder / "report.html").unlink(missing_ok=True)  # another test's report
            (folder / name).write_bytes(damage)
            res = CliRunner().invoke(main, ["report", str(folder)])
            if res.exit_code == 0:
                continue  # a file the report does not read
            assert res.exit_code == 2, (name, damage, res.output, res.exception)
            assert res.stderr.count("\n") == 1, (name, res.stderr)
            assert res.stderr.startswith(f"error: {folder / name}: file: must be "), res.stderr
            assert not (folder / "report.html").exists()


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_report_draws_at_two_widths(browser, folders, kind: str) -> None:
    folder, _ = folders[kind]
    out = folder / "report.html"
    if not out.exists():
        _invoke(["report", str(folder)])
    for width in (360, 1280):
        p = open_page(browser, out, width)
        shot = p.screenshot(folder / f"report-{width}.png")
        assert not_blank(shot)
        # nothing wider than the screen: wide tables scroll inside their own box
        assert p.page.evaluate("document.documentElement.scrollWidth") <= width
        assert p.errors == [] and p.requests == []
        p.page.close()


def test_a_figure_without_a_value_shows_n_a_and_no_unit() -> None:
    from sim.report.format import format_diff, format_value
    from sim.report.html_report import Formats, _headline

    doc = {"replications": 2, "metrics": {
        "menu_mean_s": {"unit": "s", "mean": None, "ci95_lo": None, "ci95_hi": None},
        "asa_s": {"unit": "s", "mean": 4.5, "ci95_lo": 1.0, "ci95_hi": 8.0},
    }}  # fmt: skip
    rows = _headline(doc, {"x": ["menu_mean_s", "asa_s"]}, Formats(format_value, format_diff), {})
    got = {r["metric"]: (r["value"], r["unit"]) for r in rows[0]["rows"]}
    assert got == {"menu_mean_s": ("n/a", ""), "asa_s": ("4.50", "s")}
