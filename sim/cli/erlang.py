"""``helpline erlang``: Erlang B/C/A/X metrics for a staffing level, or the staffing for a target.

The figures come from :mod:`sim.analytic`; this module only converts units at the edge
(calls per hour -> per second, talk + after-call work -> one handle time) and formats.
"""

from __future__ import annotations

import json
import math
from typing import Any

import click

from sim import analytic
from sim.cli.common import OneLineCommand, fail


def _num(x: float) -> str:
    """``x`` for a message: a float as ``%g``; an int whole, or cut when it is too long to read
    (or to convert to a float).
    """
    if isinstance(x, int):
        text = str(x)
        return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} digits)"
    return f"{x:g}"


def _require(ok: bool, option: str, allowed: str, value: float) -> None:
    if not ok:
        fail(f"{option} must be {allowed}; got {_num(value)}")


def _check(
    calls_per_hour: float,
    talk_s: float,
    after_call_s: float,
    agents: int | None,
    lines: int | None,
    patience_s: float | None,
    redial_prob: float,
    within_s: float,
    target_sl: float | None,
    target_asa_s: float | None,
    target_abandon: float | None,
) -> None:
    finite = math.isfinite
    _require(
        finite(calls_per_hour) and calls_per_hour >= 0, "--calls-per-hour", ">= 0", calls_per_hour
    )
    _require(finite(talk_s) and talk_s > 0, "--talk-s", "> 0", talk_s)
    _require(finite(after_call_s) and after_call_s >= 0, "--after-call-s", ">= 0", after_call_s)
    most = f"{analytic.MAX_AGENTS:,}"
    if agents is not None:
        _require(1 <= agents <= analytic.MAX_AGENTS, "--agents", f"from 1 to {most}", agents)
    if lines is not None:
        _require(1 <= lines <= analytic.MAX_AGENTS, "--lines", f"from 1 to {most}", lines)
        if agents is not None:
            _require(lines >= agents, "--lines", f">= --agents ({agents})", lines)
    if patience_s is not None:
        _require(patience_s > 0, "--patience-s", "> 0", patience_s)
    _require(0 <= redial_prob <= 1, "--redial-prob", "in [0, 1]", redial_prob)
    _require(finite(within_s) and within_s >= 0, "--within-s", ">= 0", within_s)
    if agents is not None and lines is None and patience_s is None:
        load_erl = calls_per_hour / 3600.0 * (talk_s + after_call_s)
        _require(
            agents > load_erl,
            "--agents",
            f"> the offered load ({load_erl:.4g} Erl) without --lines or --patience-s",
            agents,
        )
    if target_sl is not None:
        _require(0 < target_sl < 1, "--target-sl", "in (0, 1)", target_sl)
    if target_asa_s is not None:
        _require(target_asa_s > 0, "--target-asa-s", "> 0", target_asa_s)
    if target_abandon is not None:
        _require(0 <= target_abandon <= 1, "--target-abandon", "in [0, 1]", target_abandon)
    if agents is None and target_sl is None and target_asa_s is None and target_abandon is None:
        fail("give --agents, or a target (--target-sl, --target-asa-s, --target-abandon)")


def _pct(x: float) -> str:
    return f"{100 * x:.2f}"


def _table(result: dict[str, Any]) -> str:
    """A two-column table, values right-aligned, every figure with its unit."""
    patience = result["patience_s"]
    rows: list[tuple[str, str, str]] = [
        ("calls", _num(result["calls_per_hour"]), "calls/h"),
        (
            "handle time",
            _num(result["handle_s"]),
            f"s (talk {_num(result['talk_s'])} s + after-call {_num(result['after_call_s'])} s)",
        ),
        ("offered load", f"{result['offered_erl']:.3f}", "Erl"),
        ("agents", str(result["agents"]), ""),
        ("lines", "unlimited" if result["lines"] is None else str(result["lines"]), ""),
        (
            "patience",
            "none" if patience is None else _num(patience),
            "" if patience is None else "s",
        ),
    ]
    if result["redial_prob"] > 0:
        rows.append(("redial probability", _pct(result["redial_prob"]), "%"))
        rows.append(("attempts incl. redials", f"{result['attempts_per_hour']:.2f}", "calls/h"))
    rows += [
        ("P(blocked)", _pct(result["p_blocked"]), "% of attempts"),
        ("P(wait)", _pct(result["p_wait"]), "% of admitted"),
        ("P(abandon)", _pct(result["p_abandon"]), "% of admitted"),
        ("ASA", f"{result['asa_s']:.2f}", "s (answered calls)"),
        ("mean wait", f"{result['wait_mean_s']:.2f}", "s (all who got a line, abandoned too)"),
        (
            "service level",
            _pct(result["service_level"]),
            f"% of answered calls answered within {_num(result['within_s'])} s",
        ),
        (
            "service level, offered",
            _pct(result["service_level_offered"]),
            f"% of all attempts answered within {_num(result['within_s'])} s "
            "(blocked and abandoned count as misses)",
        ),
        ("occupancy", _pct(result["occupancy"]), "%"),
        ("mean queue", f"{result['mean_queue']:.3f}", "calls waiting"),
    ]
    if "targets_met" in result:
        rows.append(("targets met", "yes" if result["targets_met"] else "no", ""))
    exact = result.get("exact_redials")
    if exact is not None:
        after = f"redials after {_num(exact['redial_delay_s'])} s"
        rows += [
            (f"exact, {after}:", "", "(retrial queue; the figures above use Erlang X)"),
            ("  P(blocked)", _pct(exact["p_blocked"]), "% of attempts"),
            ("  P(abandon)", _pct(exact["p_abandon"]), "% of answered + abandoned"),
            ("  attempts per caller", f"{exact['attempts_per_caller']:.3f}", "attempts"),
            ("  gave up", _pct(exact["gave_up_rate"]), "% of callers"),
            ("  ASA", f"{exact['asa_s']:.2f}", "s (answered calls)"),
            (
                "  service level",
                _pct(exact["service_level"]),
                f"% answered within {_num(result['within_s'])} s",
            ),
            ("  occupancy", _pct(exact["occupancy"]), "%"),
        ]
    label_w = max(len(r[0]) for r in rows)
    value_w = max(len(r[1]) for r in rows)
    return "\n".join(f"{a:<{label_w}}  {b:>{value_w}} {c}".rstrip() for a, b, c in rows)


@click.command("erlang", cls=OneLineCommand)
@click.option("--calls-per-hour", type=float, required=True, help="Fresh calls per hour.")
@click.option("--talk-s", type=float, required=True, help="Mean talk time, seconds.")
@click.option(
    "--after-call-s",
    type=float,
    default=0.0,
    show_default=True,
    help="Mean after-call work, seconds (added to talk; approximate with finite lines).",
)
@click.option("--agents", type=int, default=None, help="Agents on duty (else: find the minimum).")
@click.option(
    "--lines", type=int, default=None, help="Lines: agents + waiting places.  [default: unlimited]"
)
@click.option(
    "--patience-s",
    type=float,
    default=None,
    help="Mean patience, seconds.  [default: no abandonment]",
)
@click.option(
    "--redial-prob",
    type=float,
    default=0.0,
    show_default=True,
    help="P(redial) after busy/abandon.",
)
@click.option(
    "--redial-delay-s",
    type=float,
    default=None,
    help="Mean (exponential) delay before a redial, seconds: with --lines, the redial figures "
    "are also computed exactly (retrial queue), beside Erlang X's approximation.",
)
@click.option(
    "--within-s",
    type=float,
    default=20.0,
    show_default=True,
    help="Service level threshold, seconds.",
)
@click.option("--target-sl", type=float, default=None, help="Service level target, e.g. 0.8.")
@click.option("--target-asa-s", type=float, default=None, help="ASA target, seconds.")
@click.option("--target-abandon", type=float, default=None, help="Abandonment target, e.g. 0.05.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(
    calls_per_hour: float,
    talk_s: float,
    after_call_s: float,
    agents: int | None,
    lines: int | None,
    patience_s: float | None,
    redial_prob: float,
    redial_delay_s: float | None,
    within_s: float,
    target_sl: float | None,
    target_asa_s: float | None,
    target_abandon: float | None,
    as_json: bool,
) -> None:
    """Erlang B/C/A/X: waiting, blocking and abandonment for a number of agents.

    With --agents, the metrics for those agents; with a target and no --agents, the fewest
    agents meeting every target and the metrics there. --redial-prob uses Erlang X; with
    --redial-delay-s and --lines the exact retrial queue is shown beside it.
    """
    _check(
        calls_per_hour, talk_s, after_call_s, agents, lines, patience_s, redial_prob,
        within_s, target_sl, target_asa_s, target_abandon,
    )  # fmt: skip
    if redial_delay_s is not None:
        _require(
            math.isfinite(redial_delay_s) and redial_delay_s > 0, "--redial-delay-s", "> 0",
            redial_delay_s,
        )  # fmt: skip
        if lines is None:
            fail("--redial-delay-s needs --lines: the exact retrial queue counts lines")
        _require(redial_prob < 1, "--redial-prob", "< 1 with --redial-delay-s", redial_prob)
    calls_per_s = calls_per_hour / 3600.0
    handle_s = talk_s + after_call_s
    if patience_s is not None and math.isinf(patience_s):
        patience_s = None  # --patience-s inf: no abandonment
    patience = math.inf if patience_s is None else patience_s
    targets = {
        "target_service_level": target_sl,
        "target_asa_s": target_asa_s,
        "target_abandon": target_abandon,
    }
    has_target = any(v is not None for v in targets.values())
    try:
        if agents is None:
            agents = analytic.agents_for_target(
                calls_per_s, handle_s, lines=lines, patience_s=patience, within_s=within_s,
                redial_prob_busy=redial_prob, redial_prob_abandon=redial_prob,
                target_service_level=target_sl, target_asa_s=target_asa_s,
                target_abandon=target_abandon,
            )  # fmt: skip
        attempts_per_s = analytic.redial_attempt_rate(
            calls_per_s, handle_s, agents, lines, patience, redial_prob, redial_prob
        )
        m = analytic.erlang_a_metrics(attempts_per_s, handle_s, agents, lines, patience, within_s)
        exact = None
        if redial_delay_s is not None and lines is not None:
            exact = analytic.retrial_metrics(
                calls_per_s, handle_s, agents, lines, patience, redial_prob, redial_prob,
                redial_delay_s, within_s,
            )  # fmt: skip
    except ValueError as exc:
        fail(str(exc))

    result: dict[str, Any] = {
        "calls_per_hour": calls_per_hour,
        "talk_s": talk_s,
        "after_call_s": after_call_s,
        "handle_s": handle_s,
        "patience_s": patience_s,
        "redial_prob": redial_prob,
        "within_s": within_s,
        "agents": m.agents,
        "lines": m.lines,
        "attempts_per_hour": attempts_per_s * 3600.0,
        "offered_erl": m.offered_erl,
        "p_blocked": m.p_blocked,
        "p_wait": m.p_wait,
        "p_abandon": m.p_abandon,
        "asa_s": m.asa_s,
        "service_level": m.service_level,
        "service_level_offered": m.service_level_offered,
        "wait_mean_s": m.wait_mean_s,
        "occupancy": m.occupancy,
        "mean_queue": m.mean_queue,
    }
    if exact is not None:
        result["exact_redials"] = {
            "redial_delay_s": redial_delay_s,
            "p_blocked": exact.p_blocked,
            "p_abandon": exact.p_abandon,
            "attempts_per_caller": exact.attempts_per_caller,
            "gave_up_rate": exact.gave_up_rate,
            "occupancy": exact.occupancy,
            "asa_s": exact.asa_s,
            "service_level": exact.service_level,
        }
    if has_target:
        result.update({k: v for k, v in targets.items() if v is not None})
        result["targets_met"] = (
            (target_sl is None or m.service_level >= target_sl)
            and (target_asa_s is None or m.asa_s <= target_asa_s)
            and (target_abandon is None or m.p_abandon <= target_abandon)
        )
    click.echo(json.dumps(result) if as_json else _table(result))
