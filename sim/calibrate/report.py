"""The calibration report: a text summary and charts of every fit against the log.

Charts (matplotlib figures, saved by the caller): talk-time CDFs by log type against both fitted
families; Kaplan-Meier patience with its band against the censored fits; the profile by weekday
with the pooled Poisson band; daily volumes against the weekday means; the redial delay against
its truncated lognormal; agents on duty and busy by half hour.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from sim.calibrate.calibration import SERVICE_LEVEL_S, Calibration
from sim.calibrate.demand import REDIAL_WINDOW_S
from sim.calibrate.staffing import WRAP_MAX_S, describe

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def text(cal: Calibration) -> str:
    """The text report: the log's figures, then every fit with its interval and choice."""
    o, a = cal.observed, cal.arrivals
    lines = [
        f"Calibration of {cal.log.name} ({cal.log.format}): {o.attempts:,} attempts on "
        f"{len(cal.dates)} days ({cal.dates[0]} to {cal.dates[-1]}), {cal.log.ignored} rows "
        "not attempts",
        "",
        "The log's own figures",
        f"  abandoned                 {o.abandon_rate:7.1%} of attempts "
        f"({o.abandon_rate_queued:.1%} of those that waited)",
        f"  ASA of answered           {o.asa_s:7.1f} s",
        f"  answered within {SERVICE_LEVEL_S:g} s      {o.service_level:7.1%}",
        f"  mean talk (named agents)  {o.talk_mean_s:7.1f} s",
        f"  daily-volume CV           {o.daily_cv:7.3f} (all attempts, five busiest weekdays)",
        "",
        "Arrivals (first dials)",
        f"  callers per day           {a.callers_per_day:7.1f} (95% CI "
        f"{a.callers_per_day_ci[0]:.1f} "
        f"to {a.callers_per_day_ci[1]:.1f})",
        "  day of week               "
        + " ".join(f"{d} {x:.2f}" for d, x in zip(WEEKDAYS, a.day_of_week, strict=True)),
        f"  daily CV (gamma factor)   {a.daily_cv:7.3f} (95% CI {a.daily_cv_ci[0]:.3f} to "
        f"{a.daily_cv_ci[1]:.3f}); raw CV of the five busiest weekdays {a.raw_cv_weekdays:.3f}",
        "",
        "Talk time by log type (ML fits; KS distance; mean against the log's)",
    ]
    for t, fit in sorted(cal.talk.items()):
        parts = ", ".join(
            f"{f.family} mean {f.mean_s:.1f} s KS {f.ks:.3f}" for f in fit.fits.values()
        )
        lines.append(
            f"  {t:<6} n = {fit.n:>6}  log mean {fit.sample_mean_s:6.1f} s; {parts}; chosen "
            f"{fit.chosen}"
        )
    lines += ["", "Patience by call type (KM and censored ML; hang-up at once = point mass at 0)"]
    for ct in cal.types:
        p = ct.patience
        if p is None:
            lines.append(f"  {ct.name:<8} no abandonment")
            continue
        pfit = p.fits[p.chosen]
        lines.append(
            f"  {ct.name:<8} from {ct.patience_from:<14} events {p.n_events:>5} censored "
            f"{p.n_censored:>5}  at once {p.p_zero:.3f}  {p.chosen} mean {pfit.mean_s:.0f} s "
            f"(95% CI {pfit.mean_ci_s[0]:.0f} to {pfit.mean_ci_s[1]:.0f})"
        )
    rd = cal.redial_abandon
    lines.append("")
    if rd is None:
        lines.append("Redials: no identified caller abandoned")
    else:
        within = np.median(rd.gaps_s) / 60 if rd.gaps_s.size else math.nan
        lines += [
            f"Redials after abandoning (identified callers, within {REDIAL_WINDOW_S / 3600:g} h)",
            f"  share                     {rd.share:7.1%} ({rd.n_redials} of {rd.n_failed}; 95% CI "
            f"{rd.share_ci[0]:.1%} to {rd.share_ci[1]:.1%})",
            f"  gap, hang-up to redial    median {within:.1f} min in the log; lognormal truncated "
            f"at 1 h: median {rd.median_s / 60:.1f} min, log-sd {rd.log_sd:.2f}",
        ]
    hours = cal.on_duty.sum() / 2
    busy = cal.busy.sum() / 2
    lines += [
        "",
        f"Staffing ({describe(cal.staffing_estimator)})",
        f"  wrap-up (gaps up to {WRAP_MAX_S:g} s while callers waited): n = {cal.wrap_up_s.size}, "
        f"mean {np.mean(cal.wrap_up_s) if cal.wrap_up_s.size else math.nan:.1f} s",
        f"  agent-hours on duty {hours:,.0f}, talking {busy:,.0f} (occupancy "
        f"{busy / max(hours, 1e-9):.1%})",
        f"  most agents on duty in a half hour: {cal.on_duty.max():.1f}",
        "",
        f"Queue discipline: {cal.discipline} ({cal.discipline_reason})",
    ]
    return "\n".join(lines) + "\n"


def talk_chart(cal: Calibration) -> Figure:
    """Empirical CDF of talk time per log type (log scale) against both fitted families."""
    calls = cal.log.calls
    kinds = [t for t in cal.talk if t != "*"]
    cols = min(3, len(kinds)) or 1
    rows = math.ceil(len(kinds) / cols) or 1
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.2 * rows), layout="constrained", squeeze=False
    )
    for ax, t in zip(axes.ravel(), kinds, strict=False):
        x = np.sort(
            calls.loc[calls["talk_usable"] & (calls["call_type"] == t), "talk_s"].to_numpy()
        )
        fit = cal.talk[t]
        ax.step(
            x, np.arange(1, x.size + 1) / x.size, where="post", color="black", lw=1.2, label="log"
        )
        grid = np.geomspace(max(x.min(), 1), x.max(), 200)
        for f, colour in zip(fit.fits.values(), ("#e6550d", "#3182bd"), strict=False):
            mark = " (chosen)" if f.family == fit.chosen else ""
            ax.plot(
                grid,
                f.frozen().cdf(grid),
                color=colour,
                lw=1.2,
                label=f"{f.family}{mark}, KS {f.ks:.3f}",
            )
        ax.set_xscale("log")
        ax.set_title(f"{t}: n = {fit.n}, mean {fit.sample_mean_s:.0f} s", fontsize=10)
        ax.set_xlabel("talk time (s)")
        ax.set_ylabel("share <= x")
        ax.legend(fontsize=7, loc="upper left")
    for ax in axes.ravel()[len(kinds) :]:
        ax.axis("off")
    fig.suptitle("Talk time: the log against the maximum-likelihood fits")
    return fig


def patience_chart(cal: Calibration) -> Figure:
    """Kaplan-Meier survival of patience with its 95% band, and the fitted mixture, by type."""
    own = [(t.name, t.patience) for t in cal.types if t.patience and t.patience_from == t.name]
    own.sort(key=lambda tp: -tp[1].n_events)
    pooled = [("all attempts", cal.patience_all)] if cal.patience_all else []
    shown = (pooled + own)[:6]
    cols = min(3, len(shown)) or 1
    rows = math.ceil(len(shown) / cols) or 1
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.2 * rows), layout="constrained", squeeze=False
    )
    for ax, (name, p) in zip(axes.ravel(), shown, strict=False):
        ax.step(p.km_t_s, p.km_s, where="post", color="black", lw=1.2, label="Kaplan-Meier")
        ax.fill_between(
            p.km_t_s, p.km_lo, p.km_hi, step="post", color="grey", alpha=0.3, label="95% band"
        )
        grid = np.linspace(0, max(float(np.max(p.km_t_s)), 1.0), 300)
        for f, colour in zip(p.fits.values(), ("#e6550d", "#3182bd"), strict=False):
            mark = " (chosen)" if f.family == p.chosen else ""
            ax.plot(
                grid,
                (1 - p.p_zero) * f.frozen().sf(grid),
                color=colour,
                lw=1.2,
                label=f"{f.family}{mark}",
            )
        ax.set_xlim(0, min(float(np.max(p.km_t_s)), 900))
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{name}: {p.n_events} abandoned, {p.n_censored} censored", fontsize=10)
        ax.set_xlabel("wait (s)")
        ax.set_ylabel("still waiting")
        ax.legend(fontsize=7)
    for ax in axes.ravel()[len(shown) :]:
        ax.axis("off")
    fig.suptitle("Patience: Kaplan-Meier against the censored fits (point mass at 0 included)")
    return fig


def profile_chart(cal: Calibration) -> Figure:
    """First dials per half hour by weekday (mean per day), with the pooled Poisson band."""
    a = cal.arrivals
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    hours = np.arange(48) / 2
    cmap = plt.get_cmap("tab10")
    for w in range(7):
        if a.weekday_days[w] == 0:
            continue
        ax.step(
            hours,
            a.counts[w] / a.weekday_days[w],
            where="post",
            color=cmap(w),
            lw=1.2,
            label=WEEKDAYS[w],
        )
    pooled = a.counts.sum(axis=0) / len(cal.dates)
    lo, hi = a.profile_ci()
    total = a.counts.sum() / len(cal.dates)
    ax.fill_between(
        hours,
        lo * total,
        hi * total,
        step="post",
        color="grey",
        alpha=0.35,
        label="all days, 95% band",
    )
    ax.step(hours, pooled, where="post", color="black", lw=1.8, label="all days")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("first dials per half hour (mean per day)")
    ax.set_xticks(range(0, 25, 2))
    ax.set_xlim(0, 24)
    ax.legend(ncol=4, fontsize=8)
    ax.set_title("Arrival profile by weekday")
    return fig


def volume_chart(cal: Calibration) -> Figure:
    """First dials per day against the fitted weekday means, with the gamma day-factor band."""
    a = cal.arrivals
    fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    dates = list(a.days.index)
    x = np.arange(len(dates))
    wd = np.array([d.weekday() for d in dates])
    mean = a.callers_per_day * a.day_of_week[wd]
    sd = np.sqrt(mean + (a.daily_cv * mean) ** 2)
    ax.bar(x, a.days.to_numpy(), color="#9ecae1", label="first dials (log)")
    ax.plot(x, mean, "o", color="#e6550d", label="fitted mean (per day x weekday)")
    ax.errorbar(
        x,
        mean,
        yerr=1.96 * sd,
        fmt="none",
        color="#e6550d",
        lw=1,
        label="+- 1.96 sd (Poisson + gamma)",
    )
    ax.set_xticks(x, [f"{d:%d}\n{WEEKDAYS[d.weekday()]}" for d in dates], fontsize=7)
    ax.set_ylabel("first dials")
    ax.set_title(f"Daily volume: daily CV {a.daily_cv:.3f} beyond weekday and Poisson")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def redial_chart(cal: Calibration) -> Figure:
    """Hang-up-to-redial gaps against the truncated lognormal fit."""
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    rd = cal.redial_abandon
    if rd is None or rd.gaps_s.size == 0:
        ax.text(0.5, 0.5, "no redials found", ha="center", transform=ax.transAxes)
        return fig
    gaps = rd.gaps_s / 60
    ax.hist(
        gaps, bins=30, range=(0, 60), density=True, color="#9ecae1", label=f"log, n = {gaps.size}"
    )
    if not math.isnan(rd.log_mu):
        d = stats.lognorm(rd.log_sd, scale=math.exp(rd.log_mu) / 60)
        grid = np.linspace(0.1, 60, 300)
        ax.plot(grid, d.pdf(grid) / d.cdf(60), color="#e6550d", label="lognormal, truncated at 1 h")
    ax.set_xlabel("hang-up to redial (min)")
    ax.set_ylabel("density")
    ax.set_title(f"Redials: {rd.share:.1%} of abandoners call again within 1 h")
    ax.legend()
    return fig


def staffing_chart(cal: Calibration) -> Figure:
    """Agents on duty (the estimator) and talking, by half hour, mean per weekday."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained", sharey=True)
    wd = np.array([d.weekday() for d in cal.dates])
    hours = np.arange(48) / 2
    cmap = plt.get_cmap("tab10")
    for ax, data, title in (
        (axes[0], cal.on_duty, "on duty (sessions)"),
        (axes[1], cal.busy, "talking"),
    ):
        for w in range(7):
            if (wd == w).any():
                ax.step(
                    hours,
                    data[wd == w].mean(axis=0),
                    where="post",
                    color=cmap(w),
                    label=WEEKDAYS[w],
                )
        ax.set_title(f"agents {title}")
        ax.set_xlabel("hour of day")
        ax.set_xticks(range(0, 25, 4))
    axes[0].set_ylabel("agents (time average per half hour)")
    axes[0].legend(fontsize=8, ncol=2)
    return fig


CHARTS = {
    "talk_fit.png": talk_chart,
    "patience_km.png": patience_chart,
    "profile.png": profile_chart,
    "daily_volume.png": volume_chart,
    "redial_delay.png": redial_chart,
    "staffing.png": staffing_chart,
}


def save(fig: Figure, path: str) -> None:
    """Write a figure to ``path`` and release its memory."""
    fig.savefig(path, dpi=100)
    plt.close(fig)
