"""The replay as a video for slides: GIF (Pillow) or MP4 (ffmpeg), drawn with matplotlib.

Each frame shows what the replay page shows at that instant, from the same timeline
(:func:`sim.report.replay.timeline`): the clock, the wallboard, the 30 lines, the call-takers
by state and the day's queue with a cursor. Only colours and texts change between frames,
so a frame costs one canvas draw.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from bisect import bisect_right
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from sim.report.replay import LINE_STATES, TAKER_STATES

LINE_COLOURS = {"free": "#e2e8f0", "waiting": "#f6ad55", "talking": "#2b6cb0"}
TAKER_COLOURS = {
    "off": "#f1f1ee",
    "present_no_seat": "#d6bcfa",
    "break": "#fefcbf",
    "free": "#9ae6b4",
    "after_call": "#90cdf4",
    "with_officer": "#553c9a",
    "talking": "#2b6cb0",
}
RAG = {"green": "#2f855a", "amber": "#c77c02", "red": "#c53030", "neutral": "#4a5568"}


def ffmpeg_found() -> bool:
    """Whether ``ffmpeg`` is on the PATH (needed for MP4)."""
    return shutil.which("ffmpeg") is not None


def state_at(changes: list[int], t: float) -> int:
    """The state in force at ``t`` of a flat ``[t0, s0, t1, s1, ...]`` change list."""
    times = changes[0::2]
    return changes[2 * max(bisect_right(times, t) - 1, 0) + 1]


def frame_facts(tl: dict, t: float) -> dict:
    """What the page shows at ``t`` (seconds from the window start): tile states, the waiting
    callers' waits and the wallboard counts so far.
    """
    c = tl["calls"]
    arrived = np.asarray(c["arrived"])
    outcome = np.asarray(c["outcome"])
    q_end = np.asarray(c["queue_end"])
    answered = np.asarray(c["answered"])
    came = arrived <= t
    held = came & (outcome != 3)
    waiting = np.sort(t - arrived[held & (q_end > t)])[::-1]
    ans = held & (outcome == 1) & (answered >= 0) & (answered <= t)
    within = int(np.sum(answered[ans] - arrived[ans] <= tl["meta"]["service_level_s"]))
    return {
        "lines": [LINE_STATES[state_at(ch, t)] for ch in tl["lines"]],
        "takers": [TAKER_STATES[state_at(x["changes"], t)] for x in tl["takers"]["tiles"]],
        "overtime": [any(a <= t < b for a, b in x["overtime"]) for x in tl["takers"]["tiles"]],
        "waiting": waiting,
        "answered": int(ans.sum()),
        "within": within,
        "abandoned": int(np.sum(held & (outcome == 2) & (q_end >= 0) & (q_end <= t))),
        "busy": int(np.sum(came & (outcome == 3) & (arrived >= 0))),
    }


class _Sink:
    """Frames to a GIF (Pillow, one palette per frame) or an MP4 (raw frames piped to ffmpeg)."""

    def __init__(self, path: Path, fig: Figure, fps: int) -> None:
        self.path, self.fps = path, fps
        self.frames: list[Image.Image] = []
        self.proc: subprocess.Popen[bytes] | None = None
        if path.suffix == ".mp4":
            w, h = fig.canvas.get_width_height()
            ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
            self.proc = subprocess.Popen(
                [
                    ffmpeg,
                    "-loglevel",
                    "error",
                    "-y",
                    "-f",
                    "rawvideo",
                    "-pix_fmt",
                    "rgb24",
                    "-s",
                    f"{w}x{h}",
                    "-r",
                    str(fps),
                    "-i",
                    "-",
                    "-an",
                    "-vcodec",
                    "libx264",
                    "-pix_fmt",
                    "yuv420p",
                    "-vf",
                    "pad=ceil(iw/2)*2:ceil(ih/2)*2",
                    str(path),
                ],
                stdin=subprocess.PIPE,
            )

    def add(self, rgb: np.ndarray) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.write(np.ascontiguousarray(rgb).tobytes())
        else:
            frame = Image.fromarray(rgb).quantize(colors=64, method=Image.Quantize.FASTOCTREE)
            self.frames.append(frame)

    def close(self) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            if self.proc.wait() != 0:
                raise OSError(f"ffmpeg failed writing {self.path}")
            self.proc = None
        elif self.frames:
            self.frames[0].save(self.path, save_all=True, append_images=self.frames[1:],
                                duration=round(1000 / self.fps), loop=0)  # fmt: skip

    def abort(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


def _clock(meta: dict, t: float) -> str:
    c = int(meta["clock_start_s"] + t) % 86_400
    return f"{c // 3600:02d}:{c % 3600 // 60:02d}"


def _grid(n: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(n)
    return i % cols, -(i // cols)


def write_video(tl: dict, path: Path, fps: int = 8, step_s: float = 60.0) -> int:
    """Write the timeline as a GIF or MP4 (by ``path``'s suffix), one frame every ``step_s``
    simulated seconds; returns the number of frames.
    """
    meta = tl["meta"]
    dur = meta["duration_s"]
    times = np.arange(0.0, dur, step_s)
    fig = plt.figure(figsize=(8, 4.5), dpi=100)
    fig.patch.set_facecolor("white")
    title = fig.text(0.01, 0.985, "", fontsize=11, weight="bold", va="top")
    wb_names = ["calls waiting", "longest wait", "service level", "answered", "abandoned",
                "busy tones"]  # fmt: skip
    wb = [
        fig.text(
            0.01 + i * 0.165,
            0.89,
            "",
            fontsize=9,
            va="top",
            color="white",
            bbox={"boxstyle": "round,pad=0.35", "fc": RAG["green"], "ec": "none"},
            family="DejaVu Sans Mono",
        )
        for i in range(6)
    ]
    n_lines = len(tl["lines"])
    tiles = tl["takers"]["tiles"]
    n_t = len(tiles)
    # Lines in 6 columns on the left; call-takers in as many columns as fill the right
    # panel with square cells; marker sizes from the cell size in points.
    box_l, box_t = (0.01, 0.27, 0.27, 0.46), (0.31, 0.33, 0.68, 0.40)
    ax_l, ax_t = fig.add_axes(box_l), fig.add_axes(box_t)
    fig_w_pt, fig_h_pt = 8 * 72, 4.5 * 72
    cols_t = max(6, math.ceil(math.sqrt(n_t * box_t[2] * fig_w_pt / (box_t[3] * fig_h_pt))))
    rows_t = max(math.ceil(n_t / cols_t), 1)
    rows_l = max(math.ceil(n_lines / 6), 1)
    squares = []
    for ax, n, cols, rows, box in ((ax_l, n_lines, 6, rows_l, box_l),
                                   (ax_t, n_t, cols_t, rows_t, box_t)):  # fmt: skip
        cell_pt = min(box[2] * fig_w_pt / cols, box[3] * fig_h_pt / rows)
        x, y = _grid(n, cols)
        squares.append(ax.scatter(x, y, s=(cell_pt * 0.78) ** 2, marker="s", linewidths=1.2,
                                  c=["#ffffff"] * n, edgecolors=["none"] * n))  # fmt: skip
        ax.set_xlim(-0.6, cols - 0.4)
        ax.set_ylim(-rows + 0.4, 0.6)
        ax.set_xticks([])
        ax.set_yticks([])
        for sp in ax.spines.values():
            sp.set_visible(False)
    sq_l, sq_t = squares
    fig.text(0.01, 0.755, "lines: orange caller waiting, blue talking", fontsize=7.5)
    fig.text(0.31, 0.755, f"call-takers on duty at some time of the replay ({n_t})", fontsize=7.5)
    fig.text(
        0.31, 0.30,
        "green free, blue talking, light blue after-call work, purple with an officer,\n"
        "yellow on break, lilac on duty with no free seat, grey off duty; red edge: overtime",
        fontsize=6.5, va="top", color="#333",
    )  # fmt: skip
    ax_s = fig.add_axes((0.06, 0.06, 0.92, 0.13))
    qtext = fig.text(0.01, 0.255, "", fontsize=8, va="top")
    series = tl["series"]
    st = np.arange(len(series["queue"])) * series["step_s"] / 3600
    for m in tl["marks"]:
        if m["kind"] == "surge":
            ax_s.axvspan(m["at"] / 3600, m["until"] / 3600, color="#c53030", alpha=0.12, lw=0)
        else:
            ax_s.axvline(m["at"] / 3600, color="#555", ls="--", lw=0.8)
    ax_s.fill_between(st, series["queue"], color="#f6ad55", lw=0, label="callers waiting")
    ax_s.plot(st, series["lines"], color="#2b6cb0", lw=1, label="lines held")
    ax_s.set_xlim(0, dur / 3600)
    ax_s.set_ylim(bottom=0)
    ticks = np.arange(0, dur / 3600 + 1e-9, 1 if dur <= 6 * 3600 else 3)
    ax_s.set_xticks(ticks, [_clock(meta, h * 3600) for h in ticks], fontsize=7)
    ax_s.tick_params(axis="y", labelsize=7)
    ax_s.legend(fontsize=6, loc="upper left", frameon=False, ncols=2)
    cursor = ax_s.axvline(0, color="k", lw=1.5)
    thr = meta["service_level_s"]
    target = meta["service_level_target"]
    dynamic = [title, *wb, sq_l, sq_t, qtext, cursor]
    for art in dynamic:
        art.set_animated(True)  # drawn per frame over the static background
    canvas = fig.canvas
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)  # type: ignore[attr-defined]
    sink = _Sink(path, fig, fps)
    try:
        for t in times:
            f = frame_facts(tl, float(t))
            title.set_text(
                f"{meta['scenario']}  {meta['weekday'][:3]} {meta['date']}  {_clock(meta, t)}"
            )
            w = f["waiting"]
            longest = float(w[0]) if w.size else 0.0
            sl = f["within"] / f["answered"] if f["answered"] else math.nan
            offered = f["answered"] + f["abandoned"]
            ab = f["abandoned"] / offered if offered else 0.0
            bt = f["busy"] / (offered + f["busy"]) if offered + f["busy"] else 0.0
            cells = [
                (len(w), "green" if not len(w) else "amber" if len(w) <= 5 else "red"),
                (f"{int(longest) // 60}:{int(longest) % 60:02d}",
                 "green" if longest <= thr else "amber" if longest <= 3 * thr else "red"),
                ("-" if math.isnan(sl) else f"{sl:.0%}",
                 "neutral" if math.isnan(sl) else "green" if sl >= target
                 else "amber" if sl >= target - meta["amber_pp"] else "red"),
                (f["answered"], "neutral"),
                (f["abandoned"], "green" if ab <= 0.05 else "amber" if ab <= 0.10 else "red"),
                (f["busy"], "green" if bt <= 0.01 else "amber" if bt <= 0.05 else "red"),
            ]  # fmt: skip
            for board, name, (value, colour) in zip(wb, wb_names, cells, strict=True):
                board.set_text(f"{name}\n{value}")
                patch = board.get_bbox_patch()
                if patch is not None:
                    patch.set_facecolor(RAG[colour])
            sq_l.set_facecolor([LINE_COLOURS[s] for s in f["lines"]])
            sq_t.set_facecolor([TAKER_COLOURS[s] for s in f["takers"]])
            sq_t.set_edgecolor(["#e53e3e" if o else "none" for o in f["overtime"]])
            waits = " ".join(f"{int(x) // 60}:{int(x) % 60:02d}" for x in w[:14])
            qtext.set_text(
                f"callers waiting: {waits}{' ...' if w.size > 14 else ''}"
                if w.size
                else "nobody waiting"
            )
            cursor.set_xdata([t / 3600, t / 3600])
            canvas.restore_region(background)  # type: ignore[attr-defined]
            for art in dynamic:
                fig.draw_artist(art)
            sink.add(np.asarray(canvas.buffer_rgba())[..., :3])  # type: ignore[attr-defined]
        sink.close()
    finally:
        sink.abort()
    plt.close(fig)
    return int(times.size)
