"""The replay page in headless Chromium: plays, scrubs, shows the scam-wave surge, fetches
nothing, and draws something at phone and desktop widths.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import browser, not_blank, open_page
from click.testing import CliRunner

from sim.cli import main

__all__ = ["browser"]  # the fixture, imported for pytest

ROOT = Path(__file__).resolve().parents[2]
SCAM = ROOT / "scenarios" / "scam_wave.toml"


@pytest.fixture(scope="module")
def replay_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("replay") / "r.html"
    res = CliRunner().invoke(main, ["replay", str(SCAM), "--worst-day", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size < 2_000_000
    return out


@pytest.mark.parametrize("width", [360, 1280])
def test_replay_draws_without_errors_or_requests(browser, replay_file: Path, width: int) -> None:
    p = open_page(browser, replay_file, width)
    p.page.evaluate("window.replay.seek(16 * 3600)")
    shot = p.screenshot(replay_file.with_name(f"replay-{width}.png"))
    assert shot.shape[1] == width
    assert not_blank(shot)
    assert len(p.page.query_selector_all("#lines .tile")) == 30
    assert p.errors == [] and p.requests == []
    p.page.close()


def test_play_advances_the_clock_and_the_surge_changes_the_tiles(browser, replay_file) -> None:
    p = open_page(browser, replay_file, 1280)
    page = p.page
    assert page.inner_text("#clock") == "00:00:00"
    page.select_option("#speed", "3600")
    page.click("#play")
    for _ in range(100):  # polled: the page's CSP forbids the eval wait_for_function uses
        if page.evaluate("window.replay.time()") > 600:
            break
        page.wait_for_timeout(100)
    page.click("#play")  # pause
    assert not page.evaluate("window.replay.playing()")
    assert page.inner_text("#clock") != "00:00:00"
    t = page.evaluate("window.replay.time()")
    page.wait_for_timeout(200)
    assert page.evaluate("window.replay.time()") == t  # paused means paused

    def states(hours: list[float]) -> list[dict]:
        return [page.evaluate(f"window.replay.seek({h * 3600}), window.replay.state()")
                for h in hours]  # fmt: skip

    before = states([10, 10.5, 11, 11.5, 12, 12.5])
    during = states([13.5, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5])
    # read from the drawn tiles: more lines lit, and callers queueing, in the wave
    lit = [sum(s != "free" for s in x["lines"]) for x in before + during]
    assert sum(lit[len(before) :]) / len(during) > sum(lit[: len(before)]) / len(before) + 5
    assert max(x["waiting"] for x in during) > max(x["waiting"] for x in before)
    assert before[-1]["lines"] != during[0]["lines"]
    assert during[4]["clock"] == "16:00:00"
    page.fill("#scrub", "3600")  # scrubbing moves the clock
    page.dispatch_event("#scrub", "input")
    assert page.inner_text("#clock") == "01:00:00"
    assert p.errors == [] and p.requests == []
    page.close()
