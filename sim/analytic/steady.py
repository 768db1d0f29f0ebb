"""Queueing formulas for the helpline: Erlang B, C, A and X, staffing, and time-varying load.

Pure functions: numpy/scipy only, no simulation, no I/O. Time is in seconds and every name carries
its unit (``calls_per_s``, ``handle_s``, ``patience_s``, ``within_s``, ``load_erl``).

Denominators (the same in the simulator's metrics):

* ``p_blocked``: blocked attempts (busy tone, all lines taken) / all arriving attempts;
* ``p_wait``, ``p_abandon``: over *admitted* attempts (those that got a line);
* ``asa_s``, ``service_level``: over *answered* attempts;
* ``service_level_offered``: answered within ``within_s`` over *all arriving* attempts (blocked
  and abandoned ones count as misses, as WFM suites and pyworkforce report it);
  ``wait_mean_s``: mean wait of *admitted* attempts, abandoned ones to their hang-up.

After-call work: an agent holds a call for talk + after-call work, a line only for wait + talk.
These formulas take one ``handle_s`` (talk + after-call work) for both, so with after-call work
they are an approximation: they hold lines too long and so overstate blocking a little. Without
finite lines (``lines=None``) the two holding times do not interact and the formulas are exact for
exponential handle times.

Sources: A. K. Erlang (1917), "Solution of some problems in the theory of probabilities of
significance in automatic telephone exchanges"; R. B. Cooper, *Introduction to Queueing Theory*,
2nd ed. (1981), ch. 3 (M/M/c/N birth-death chains); C. Palm (1943) and O. Garnett, A. Mandelbaum &
M. Reiman (2002), "Designing a call center with impatient customers", MSOM 4(3) (Erlang A);
A. Mandelbaum & S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue, with
applications to call centers" (Erlang A waiting-time distribution); S. Halfin & W. Whitt (1981),
"Heavy-traffic limits for queues with many exponential servers", Oper. Res. 29(3); L. Green,
P. Kolesar & J. Soares (2001), "Improving the SIPP approach for staffing service systems that have
cyclic demands", Oper. Res. 49(4); Z. Feldman, A. Mandelbaum, W. Massey & W. Whitt (2008),
"Staffing of time-varying queues to achieve time-stable performance", Mgmt. Sci. 54(2);
O. Jouini, G. Koole & A. Roubos (2013), "Performance indicators for call centers with impatient
customers", IIE Transactions 45(3) (Erlang X, redials).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import optimize, special

TAIL_TOL = 1e-15
"""Probability mass allowed to be cut off when an unlimited-lines chain is truncated."""
MAX_STATES = 5_000_000
"""Largest birth-death chain built; beyond it the caller should give finite ``lines``."""


@dataclass(frozen=True)
class QueueMetrics:
    """Stationary performance of one staffing level (see the module docstring for denominators)."""

    agents: int
    lines: int | None  # None = unlimited
    offered_erl: float  # calls_per_s * handle_s
    p_blocked: float  # blocked / all arriving attempts (busy tone: all lines taken)
    p_wait: float  # admitted attempts that find all agents busy / admitted attempts
    p_abandon: float  # admitted attempts that abandon / admitted attempts
    asa_s: float  # mean wait of ANSWERED attempts (seconds)
    service_level: float  # answered attempts with wait <= within_s / answered attempts
    occupancy: float  # mean busy agents / agents
    mean_queue: float  # time-average number waiting
    within_s: float
    service_level_offered: float  # answered within within_s / all arriving attempts
    wait_mean_s: float  # mean wait of admitted attempts, answered or abandoned (seconds)


# --- validation: one message template, "<name> must be <allowed>; got <value>" -----------------


def _bad(name: str, allowed: str, value: object) -> ValueError:
    return ValueError(f"{name} must be {allowed}; got {value!r}")


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Integral | float | np.floating):
        raise _bad(name, "a real number", value)
    return float(value)


def _nonneg(name: str, value: object, *, allow_inf: bool = False) -> float:
    x = _real(name, value)
    if not (x >= 0) or (math.isinf(x) and not allow_inf):
        raise _bad(name, ">= 0" if allow_inf else "finite and >= 0", value)
    return x


def _positive(name: str, value: object, *, allow_inf: bool = False) -> float:
    x = _real(name, value)
    if not (x > 0) or (math.isinf(x) and not allow_inf):
        raise _bad(name, "> 0 (inf allowed)" if allow_inf else "finite and > 0", value)
    return x


def _prob(name: str, value: object) -> float:
    x = _real(name, value)
    if not (0 <= x <= 1):
        raise _bad(name, "in [0, 1]", value)
    return x


def _int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise _bad(name, f"an integer >= {minimum}", value)
    if int(value) < minimum:
        raise _bad(name, f"an integer >= {minimum}", value)
    return int(value)


def _lines(lines: object, agents: int) -> int | None:
    if lines is None:
        return None
    if isinstance(lines, bool) or not isinstance(lines, Integral) or int(lines) < agents:
        raise _bad("lines", f"None (unlimited) or an integer >= agents ({agents})", lines)
    return int(lines)


# --- Erlang B and C -------------------------------------------------------------------------------


def erlang_b(servers: int, load_erl: float) -> float:
    """Blocking probability of M/M/c/c (Erlang 1917; Cooper 1981, ch. 3).

    Uses the recursion ``B_k = a B_(k-1) / (k + a B_(k-1))``, ``B_0 = 1``: every step is a ratio of
    positive terms, so it neither overflows nor cancels for any number of servers (it underflows
    gracefully to 0 when blocking is negligible). ``servers`` may be 0 (then ``B = 1``).
    """
    c = _int("servers", servers, 0)
    a = _nonneg("load_erl", load_erl)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(servers: int, load_erl: float) -> float:
    """Probability of waiting in M/M/c: ``C = c B / (c - a (1 - B))`` (Cooper 1981, ch. 3).

    Returns 1.0 when ``load_erl >= servers`` (no steady state: every arrival eventually waits).
    """
    c = _int("servers", servers, 1)
    a = _nonneg("load_erl", load_erl)
    if a >= c:
        return 1.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def erlang_c_metrics(
    calls_per_s: float, handle_s: float, agents: int, within_s: float = 20.0
) -> QueueMetrics:
    """M/M/c metrics in closed form (Cooper 1981, ch. 3).

    ``ASA = C / (c mu - lam)``, ``SL(t) = 1 - C exp(-(c mu - lam) t)``, ``Lq = lam ASA``.
    Raises ValueError unless the offered load is below ``agents``.
    """
    lam = _nonneg("calls_per_s", calls_per_s)
    h = _positive("handle_s", handle_s)
    c = _int("agents", agents, 1)
    t = _nonneg("within_s", within_s, allow_inf=True)
    a = lam * h
    if not a < c:
        raise ValueError(
            f"offered load calls_per_s * handle_s must be < agents ({c}) without abandonment "
            f"or finite lines; got {a:g} Erl"
        )
    p_wait = erlang_c(c, a)
    drain_per_s = (c - a) / h  # c mu - lam
    asa_s = p_wait / drain_per_s
    sl = 1.0 - p_wait * math.exp(-drain_per_s * t)
    return QueueMetrics(
        agents=c,
        lines=None,
        offered_erl=a,
        p_blocked=0.0,
        p_wait=p_wait,
        p_abandon=0.0,
        asa_s=asa_s,
        service_level=sl,
        occupancy=a / c,
        mean_queue=lam * asa_s,
        within_s=t,
        service_level_offered=sl,  # nobody is blocked or abandons: answered = offered
        wait_mean_s=asa_s,
    )


# --- Erlang A: the M/M/c/N+M birth-death chain ------------------------------------------------


def _log_weights(lam: float, mu: float, theta: float, c: int, n_max: int) -> np.ndarray:
    """Unnormalised log stationary weights of states 0..n_max (Cooper 1981, ch. 3)."""
    n = np.arange(1, n_max + 1, dtype=float)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0.0) * theta
    return np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(death))))


def _stationary(lam: float, mu: float, theta: float, c: int, lines: int | None) -> np.ndarray:
    """Stationary distribution of the number in system, states 0..N.

    With ``lines=None`` (and ``theta > 0``) the chain is infinite; it is cut at the first state N
    past which the remaining mass is provably below ``TAIL_TOL`` = 1e-15. Beyond the agents the
    ratio ``pi_(n+1)/pi_n = lam / (c mu + (n+1-c) theta)`` decreases, so once it is r < 1 the tail
    is at most ``pi_N r / (1 - r)``. 1e-15 is below the rounding of a probability near 1 in double
    precision, so the cut changes no reported figure beyond rounding.
    """
    if lam == 0.0:
        size = 1 if lines is None else lines + 1
        pi = np.zeros(size)
        pi[0] = 1.0
        return pi
    if lines is not None:
        log_w = _log_weights(lam, mu, theta, c, lines)
        return np.exp(log_w - special.logsumexp(log_w))
    peak = max(0.0, (lam - c * mu) / theta)  # queue length where the ratio falls below 1
    extra = int(peak) + 64  # doubled until the bound holds: at most twice the work needed
    while True:
        n_max = c + extra
        if n_max > MAX_STATES:
            raise ValueError(
                f"lines=None needs more than {MAX_STATES} states at this load and patience_s; "
                "give a finite lines"
            )
        log_w = _log_weights(lam, mu, theta, c, n_max)
        log_pi = log_w - special.logsumexp(log_w)
        ratio = lam / (c * mu + (extra + 1) * theta)
        if ratio < 1.0 and log_pi[-1] + math.log(ratio / (1.0 - ratio)) < math.log(TAIL_TOL):
            return np.exp(log_pi)
        extra *= 2


def answered_waits(
    p_no_wait: float, q: np.ndarray, c_mu: float, theta: float, within_s: float
) -> tuple[float, float, float]:
    """ASA (s), service level and share answered, from what arrivals that get a line see.

    ``p_no_wait``: the share of them finding a free agent; ``q[k-1]``: the share taking
    queue position k (any common scale). See :func:`erlang_a_metrics` for the formulas.
    """
    k = np.arange(1, len(q) + 1, dtype=float)
    p_served_k = c_mu / (c_mu + k * theta)
    if theta == 0.0:
        mean_wait_k = k / c_mu
        p_within_k = special.gammainc(k, c_mu * within_s) if len(k) else k
    else:
        mean_wait_k = np.cumsum(1.0 / (c_mu + k * theta))
        p_within_k = special.betainc(k, c_mu / theta + 1.0, -math.expm1(-theta * within_s))
    served = p_no_wait + float((q * p_served_k).sum())
    asa_s = float((q * p_served_k * mean_wait_k).sum()) / served
    sl = (p_no_wait + float((q * p_served_k * p_within_k).sum())) / served
    return asa_s, sl, served


def erlang_a_metrics(
    calls_per_s: float,
    handle_s: float,
    agents: int,
    lines: int | None = None,
    patience_s: float = math.inf,
    within_s: float = 20.0,
) -> QueueMetrics:
    """Exact M/M/c/N+M metrics (Palm 1943; Garnett, Mandelbaum & Reiman 2002; Cooper 1981).

    The number in system is a birth-death chain on 0..N with birth ``lam`` and death
    ``min(n, c) mu + max(n - c, 0) theta`` (``mu = 1/handle_s``, ``theta = 1/patience_s``).
    ``patience_s=inf`` gives M/M/c/N, or M/M/c when ``lines`` is None (then the load must be below
    ``agents``); ``lines == agents`` gives Erlang B. Unlimited lines with finite patience: the chain
    is truncated with less than 1e-15 mass lost (see ``_stationary``).

    Waits follow the tagged caller (PASTA: it sees the stationary state). Arriving to n >= c busy,
    it takes queue position k = n - c + 1; at position j it moves up at rate ``c mu + (j-1) theta``
    and abandons at rate ``theta``. So P(served | k) = ``c mu / (c mu + k theta)`` and, if served,
    its wait is a sum of independent exponentials with rates ``c mu + j theta``, j = 1..k, whose
    transform shows ``exp(-theta W) ~ Beta(c mu / theta + 1, k)``; hence
    ``P(W <= t | served, k) = I_(1 - exp(-theta t))(k, c mu / theta + 1)``, a regularised
    incomplete beta function (Mandelbaum & Zeltyn 2007 give the equivalent incomplete-gamma form
    for unlimited lines). With ``theta = 0`` it is the Erlang (gamma) CDF ``P(k, c mu t)``.
    """
    lam = _nonneg("calls_per_s", calls_per_s)
    h = _positive("handle_s", handle_s)
    c = _int("agents", agents, 1)
    n_lines = _lines(lines, c)
    patience = _positive("patience_s", patience_s, allow_inf=True)
    t = _nonneg("within_s", within_s, allow_inf=True)
    if n_lines is None and math.isinf(patience):
        return erlang_c_metrics(lam, h, c, t)

    mu, theta = 1.0 / h, 1.0 / patience
    pi = _stationary(lam, mu, theta, c, n_lines)
    top = len(pi) - 1
    p_blocked = float(pi[top]) if n_lines is not None else 0.0
    admitted = float(pi[:top].sum()) if n_lines is not None else 1.0
    p_no_wait = float(pi[:c].sum())
    n = np.arange(top + 1)
    waiting = np.maximum(n - c, 0)
    mean_queue = float((waiting * pi).sum())
    busy = float((np.minimum(n, c) * pi).sum())

    q = pi[c:top] if n_lines is not None else pi[c:]  # arrivals that wait, by position k = 1..
    asa_s, sl, served = answered_waits(p_no_wait, q, c * mu, theta, t)

    return QueueMetrics(
        agents=c,
        lines=n_lines,
        offered_erl=lam * h,
        p_blocked=p_blocked,
        p_wait=min(1.0, float(q.sum()) / admitted),
        p_abandon=min(1.0, theta * mean_queue / (lam * admitted)) if lam > 0 else 0.0,
        asa_s=asa_s,
        service_level=min(1.0, sl),
        occupancy=min(1.0, busy / c),  # the sum can round a hair above 1 at heavy load
        mean_queue=mean_queue,
        within_s=t,
        # pi is over arriving attempts (PASTA): the numerator is already a share of them
        service_level_offered=min(1.0, sl * served),
        wait_mean_s=mean_queue / (lam * admitted) if lam > 0 else 0.0,  # Little's law
    )


# --- Erlang X: redials ---------------------------------------------------------------------------


def redial_attempt_rate(
    calls_per_s: float,
    handle_s: float,
    agents: int,
    lines: int | None,
    patience_s: float,
    redial_prob_busy: float,
    redial_prob_abandon: float,
    tol: float = 1e-10,
) -> float:
    """Total attempt rate (fresh calls + redials) solving the Erlang X fixed point.

    ``lam = lam_fresh + lam (p_blocked r_b + p_abandon_offered r_a)`` where ``p_abandon_offered =
    p_abandon (1 - p_blocked)`` (Jouini, Koole & Roubos 2013). Approximation: redials are taken to
    join a Poisson stream independent of the state (as if they came back after a long, random
    delay), so the stationary Erlang A chain applies at the total rate. The right-hand side minus
    ``lam`` changes sign on ``[lam_fresh, lam_fresh / (1 - max r)]``, which Brent's method solves
    to relative tolerance ``tol``.
    """
    fresh = _nonneg("calls_per_s", calls_per_s)
    r_b = _prob("redial_prob_busy", redial_prob_busy)
    r_a = _prob("redial_prob_abandon", redial_prob_abandon)
    tol = _positive("tol", tol)
    # validate the rest once, at the fresh rate
    erlang_a_metrics(fresh, handle_s, agents, lines, patience_s)
    if fresh == 0.0:
        return 0.0

    def excess(total: float) -> float:
        m = erlang_a_metrics(total, handle_s, agents, lines, patience_s)
        lost = m.p_blocked * r_b + m.p_abandon * (1.0 - m.p_blocked) * r_a
        return fresh + total * lost - total

    if excess(fresh) <= 0.0:
        return fresh  # nothing is lost, or nobody redials
    hi = fresh / (1.0 - max(r_b, r_a)) if max(r_b, r_a) < 1.0 else 2.0 * fresh
    for _ in range(200):
        if excess(hi) <= 0.0:
            break
        hi *= 2.0
    else:
        raise ValueError(
            "redial_prob_busy/redial_prob_abandon: no steady state, the redials never die out; "
            f"got {r_b!r}/{r_a!r}"
        )
    return float(optimize.brentq(excess, fresh, hi, xtol=tol * fresh, rtol=max(tol, 1e-15)))


def erlang_x_metrics(
    calls_per_s: float,
    handle_s: float,
    agents: int,
    lines: int | None,
    patience_s: float,
    redial_prob_busy: float,
    redial_prob_abandon: float,
    within_s: float = 20.0,
    tol: float = 1e-10,
) -> QueueMetrics:
    """Erlang A metrics at the total attempt rate including redials (see ``redial_attempt_rate``).

    Every figure is per *attempt*; ``offered_erl`` is the total attempt rate times ``handle_s``.
    """
    total = redial_attempt_rate(
        calls_per_s, handle_s, agents, lines, patience_s, redial_prob_busy, redial_prob_abandon, tol
    )
    return erlang_a_metrics(total, handle_s, agents, lines, patience_s, within_s)
