"""How long a 2-hour peak takes to become a GIF, and how big it is: ``python -m bench.replay_gif``.

Goal (issue 12): under 30 s and under 5 MB for a 2-hour peak at a readable frame rate (the
default: 240 frames, 30 s of simulated time each, 8 frames a second, a 30-second clip). The
simulation of the day is timed beside it as the reference measured in the same run, so the
ratio says how much the picture costs against the model on this machine at this moment.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sim.core.model import simulate
from sim.report.replay import roster_of, timeline, window_of
from sim.report.replay_video import write_video
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time and size the replay animation of a peak window and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "scam_wave.toml"))
    ap.add_argument("--from-h", type=float, default=14.0, help="peak start, hour of the day")
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--frames", type=int, default=240)
    ap.add_argument("--fps", type=int, default=8)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    t0 = time.perf_counter()
    rec = simulate(sc, 0)
    sim_s = time.perf_counter() - t0
    w = window_of(rec, None, args.from_h * 3600, (args.from_h + args.hours) * 3600)
    t1, c1 = time.perf_counter(), time.process_time()
    tl = timeline(rec, roster_of(sc, 0), w)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "peak.gif"
        frames = write_video(tl, path, fps=args.fps, step_s=args.hours * 3600 / args.frames)
        gif_s = time.perf_counter() - t1
        gif_cpu_s = time.process_time() - c1  # this process alone, whatever else runs
        size_mb = path.stat().st_size / 1e6
    row = {
        "scenario": sc.name,
        "hours": args.hours,
        "frames": frames,
        "fps": args.fps,
        "gif_s": round(gif_s, 2),
        "gif_cpu_s": round(gif_cpu_s, 2),
        "gif_mb": round(size_mb, 2),
        "simulate_day_s": round(sim_s, 2),
        "ratio_gif_to_simulate": round(gif_s / sim_s, 1),
        "goal_met": gif_s < 30 and size_mb < 5,
    }
    if args.json:
        print(json.dumps(row))
    else:
        print(
            f"{sc.name}: {args.hours:g} h peak -> {frames} frames at {args.fps} fps in "
            f"{gif_s:.1f} s ({gif_cpu_s:.1f} s CPU), {size_mb:.2f} MB (simulating the run: "
            f"{sim_s:.1f} s, ratio {gif_s / sim_s:.1f}); goal under 30 s and 5 MB: "
            f"{'met' if row['goal_met'] else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
