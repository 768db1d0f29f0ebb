"""The replay page: one self-contained HTML file that plays a simulated day."""

from __future__ import annotations

from sim.report.html import render, script_json


def replay_page(tl: dict) -> str:
    """The page for a timeline from :func:`sim.report.replay.timeline`: data, script and styles
    inline, nothing fetched.
    """
    return render("replay.html.j2", meta=tl["meta"], data_json=script_json(tl))
