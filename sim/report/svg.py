"""Small inline-SVG charts for the HTML reports: no script, no fonts or files to fetch.

Each function returns one ``<svg>`` element as a string, drawn in a viewBox that scales with
the page (phone to print). Texts are escaped here; numbers come from the result tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np

W, H = 480.0, 220.0
LEFT, RIGHT, TOP, BOTTOM = 40.0, 10.0, 12.0, 34.0
PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#c53030", "#718096"]


def _open(title: str, height: float = H) -> list[str]:
    return [
        f'<svg viewBox="0 0 {W:g} {height:g}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg" class="chart">',
        f"<title>{escape(title)}</title>",
    ]


#: Axis tops (times a power of ten) and how many grid steps divide each evenly.
_TOPS = ((1, 5), (2, 4), (2.5, 5), (3, 3), (4, 4), (5, 5), (6, 3), (8, 4), (10, 5))


def _nice(v: float) -> tuple[float, int]:
    """A round axis top at or above ``v`` (with a little headroom) and its grid steps."""
    if not v > 0 or not math.isfinite(v):
        return 1.0, 4
    v *= 1.05
    p = 10 ** math.floor(math.log10(v))
    for m, steps in _TOPS:
        if v <= m * p:
            return m * p, steps
    return 10 * p, 5


def _nice_max(v: float) -> float:
    return _nice(v)[0]


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.2g}"


def _y_axis(out: list[str], top: float, height: float, unit: str, percent: bool = False) -> None:
    steps = 4 if percent else _nice(top / 1.05)[1]
    for k in range(steps + 1):
        v = top * k / steps
        y = height - BOTTOM - (height - TOP - BOTTOM) * k / steps
        label = f"{v:.0%}" if percent else _num(v)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(
            f'<text x="{LEFT - 3}" y="{y + 3:.1f}" class="tick" text-anchor="end">{label}</text>'
        )
    if unit:
        out.append(f'<text x="2" y="{TOP - 2}" class="tick">{escape(unit)}</text>')


def legend(names: Sequence[str]) -> list[tuple[str, str]]:
    """(name, colour) of each series, in the colours the charts give them."""
    return [(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]


def day_timeline(
    x_h: np.ndarray,
    series: Sequence[tuple[str, np.ndarray, str]],
    bars: tuple[str, np.ndarray] | None,
    title: str,
    hline: tuple[str, float] | None = None,
) -> str:
    """Lines (and one area, kind "area") over the hours of one day, with optional bars at the
    bottom on their own scale (labelled at their maximum).
    """
    top = _nice_max(
        max([float(np.nanmax(s)) for _, s, _ in series if s.size] + [hline[1] if hline else 0])
    )
    x = lambda h: LEFT + (W - LEFT - RIGHT) * h / 24  # noqa: E731
    y = lambda v: H - BOTTOM - (H - TOP - BOTTOM) * v / top  # noqa: E731
    out = _open(title)
    _y_axis(out, top, H, "")
    if bars is not None and bars[1].size and np.nanmax(bars[1]) > 0:
        bmax = float(np.nanmax(bars[1]))
        step = 24 / bars[1].size
        for i, b in enumerate(bars[1]):
            if b > 0:
                hgt = (H - TOP - BOTTOM) * 0.3 * b / bmax
                out.append(
                    f'<rect x="{x(i * step):.1f}" y="{H - BOTTOM - hgt:.1f}" '
                    f'width="{max(x(step) - LEFT - 0.5, 0.5):.1f}" height="{hgt:.1f}" class="bar"/>'
                )
        out.append(
            f'<text x="{W - RIGHT}" y="{H - BOTTOM - (H - TOP - BOTTOM) * 0.3 - 3:.1f}" '
            f'class="tick bar-label" text-anchor="end">{escape(bars[0])} (tallest {bmax:,.0f})</text>'
        )
    if hline is not None:
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(hline[1]):.1f}" y2="{y(hline[1]):.1f}" '
            'class="ref"/>'
        )
        out.append(
            f'<text x="{LEFT + 2}" y="{y(hline[1]) - 3:.1f}" class="tick">{escape(hline[0])}</text>'
        )
    for i, (_, s, kind) in enumerate(series):
        pts = " ".join(
            f"{x(h):.1f},{y(v):.1f}" for h, v in zip(x_h, s, strict=True) if np.isfinite(v)
        )
        colour = PALETTE[i % len(PALETTE)]
        if kind == "area" and x_h.size:
            out.append(
                f'<polygon points="{x(x_h[0]):.1f},{y(0):.1f} {pts} {x(x_h[-1]):.1f},{y(0):.1f}" '
                f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"/>'
            )
        else:
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
            )
    for h in range(0, 25, 3):
        anchor = "start" if h == 0 else "end" if h == 24 else "middle"
        out.append(
            f'<text x="{x(h):.1f}" y="{H - BOTTOM + 12}" class="tick" text-anchor="{anchor}">{h:02d}:00</text>'
        )
    out.append("</svg>")
    return "".join(out)


def heat_map(
    values: np.ndarray, rows: list[str], cols: list[str], title: str, target: float
) -> str:
    """Shares (0..1, NaN for no data) as coloured cells: red far below ``target``, amber just
    below, green at or above; each cell carries its value.
    """
    n_r, n_c = values.shape
    cw, ch = (W - 44) / max(n_c, 1), 18.0
    height = 16 + ch * n_r + 4
    out = _open(title, height)
    for j, c in enumerate(cols):
        if j % 2 == 0:
            out.append(
                f'<text x="{44 + cw * (j + 0.5):.1f}" y="11" class="tick" text-anchor="middle">{escape(c)}</text>'
            )
    for i, r in enumerate(rows):
        yy = 16 + ch * i
        out.append(
            f'<text x="40" y="{yy + ch * 0.7:.1f}" class="tick" text-anchor="end">{escape(r)}</text>'
        )
        for j in range(n_c):
            v = values[i, j]
            cls = (
                "na"
                if not np.isfinite(v)
                else "ok"
                if v >= target
                else "amber"
                if v >= target - 0.1
                else "bad"
            )
            label = "" if not np.isfinite(v) else f"{v * 100:.0f}"
            out.append(
                f'<rect x="{44 + cw * j:.1f}" y="{yy:.1f}" width="{cw - 1:.1f}" height="{ch - 1:.1f}" class="hm {cls}">'
                f"<title>{escape(r)} {escape(cols[j])}: {label}%</title></rect>"
            )
            if label:
                out.append(
                    f'<text x="{44 + cw * (j + 0.5):.1f}" y="{yy + ch * 0.68:.1f}" class="cell" '
                    f'text-anchor="middle">{label}</text>'
                )
    out.append("</svg>")
    return "".join(out)


def stages(
    t_h: np.ndarray, curves: Sequence[tuple[str, np.ndarray, str]], gh_h: float, title: str
) -> str:
    """Stacked cumulative shares over log time (hours): each band is one stage's delay; the
    golden-hour line across them.
    """
    lo, hi = math.log10(t_h[0]), math.log10(t_h[-1])
    x = lambda h: LEFT + (W - LEFT - RIGHT) * (math.log10(h) - lo) / (hi - lo)  # noqa: E731
    y = lambda v: H - BOTTOM - (H - TOP - BOTTOM) * v  # noqa: E731
    out = _open(title)
    _y_axis(out, 1.0, H, "", percent=True)
    prev = np.zeros_like(t_h)
    bands = list(curves)
    for name, top, colour in reversed(bands):  # from the bottom band up
        pts_top = " ".join(f"{x(h):.1f},{y(v):.1f}" for h, v in zip(t_h, top, strict=True))
        pts_bot = " ".join(
            f"{x(h):.1f},{y(v):.1f}" for h, v in zip(t_h[::-1], prev[::-1], strict=True)
        )
        out.append(
            f'<polygon points="{pts_top} {pts_bot}" fill="{colour}"><title>{escape(name)}</title></polygon>'
        )
        prev = top
    gx = x(min(max(gh_h, t_h[0]), t_h[-1]))
    out.append(f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{TOP}" y2="{H - BOTTOM}" class="gh"/>')
    out.append(f'<text x="{gx + 3:.1f}" y="{TOP + 10}" class="tick gh-label">golden hour</text>')
    for e in range(math.ceil(lo), math.floor(hi) + 1):
        h = 10.0**e
        label = f"{h * 60:g} min" if h < 1 else f"{h:g} h"
        out.append(
            f'<text x="{x(h):.1f}" y="{H - BOTTOM + 12}" class="tick" text-anchor="middle">{label}</text>'
        )
    out.append(
        f'<text x="{W - RIGHT}" y="{H - BOTTOM + 24}" class="tick" text-anchor="end">time since the fraud (log scale)</text>'
    )
    out.append("</svg>")
    return "".join(out)


def bars(
    labels: list[str], values: list[float], title: str, unit: str, percent: bool = False
) -> str:
    """Horizontal bars, one per label, with the value written at the end."""
    n = len(labels)
    height = 10 + 22 * n
    vmax = _nice_max(max([v for v in values if math.isfinite(v)] + [0.0]))
    out = _open(title, height)
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        yy = 6 + 22 * i
        wv = 0 if not math.isfinite(v) else (W - 190) * v / vmax
        text = "n/a" if not math.isfinite(v) else f"{v:.1%}" if percent else f"{v:,.2f} {unit}"
        out.append(
            f'<text x="110" y="{yy + 13}" class="tick" text-anchor="end">{escape(lab)}</text>'
        )
        out.append(
            f'<rect x="115" y="{yy}" width="{wv:.1f}" height="16" fill="{PALETTE[i % len(PALETTE)]}"/>'
        )
        out.append(f'<text x="{118 + wv:.1f}" y="{yy + 13}" class="tick">{escape(text)}</text>')
    out.append("</svg>")
    return "".join(out)


def points_chart(
    x_labels: list[str],
    series: Sequence[tuple[str, list[float], list[float], list[float]]],
    title: str,
    percent: bool,
) -> str:
    """One metric's mean and 95% CI per sweep point (error bars), points in order."""
    n = len(x_labels)
    vals = [v for _, m, lo_, hi_ in series for v in (*m, *lo_, *hi_) if math.isfinite(v)]
    top = 1.0 if percent and vals and max(vals) <= 1 else _nice_max(max([*vals, 0.0]))
    x = lambda i: LEFT + (W - LEFT - RIGHT) * (i + 0.5) / max(n, 1)  # noqa: E731
    y = lambda v: H - BOTTOM - (H - TOP - BOTTOM) * v / top  # noqa: E731
    out = _open(title)
    _y_axis(out, top, H, "", percent=percent)
    for k, (_, mean, lo_, hi_) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        pts = []
        for i in range(n):
            if math.isfinite(lo_[i]) and math.isfinite(hi_[i]):
                out.append(
                    f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(lo_[i]):.1f}" y2="{y(hi_[i]):.1f}" stroke="{colour}" stroke-width="2"/>'
                )
            if math.isfinite(mean[i]):
                pts.append(f"{x(i):.1f},{y(mean[i]):.1f}")
                out.append(f'<circle cx="{x(i):.1f}" cy="{y(mean[i]):.1f}" r="3" fill="{colour}"/>')
        out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}"/>')
    for i, lab in enumerate(x_labels):
        out.append(
            f'<text x="{x(i):.1f}" y="{H - BOTTOM + 12}" class="tick" text-anchor="middle">{escape(lab)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
