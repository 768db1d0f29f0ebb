"""Redials, exactly: the M/M/c/N+M queue with an orbit of callers who will dial again.

Erlang X (``sim.analytic.steady.erlang_x_metrics``) treats redials as extra Poisson arrivals,
independent of the state; real redials come back while the centre is still busy. When a blocked
caller redials with probability ``p_b`` and one who abandoned with probability ``p_a``, each after
an exponential delay of mean ``1/gamma`` (the same for both), and the probabilities do not change
with the attempt number, the pair (n callers on the lines, m callers waiting to redial) is a
continuous-time Markov chain (the classical retrial queue; Falin & Templeton 1997, Artalejo &
Gomez-Corral 2008). From state (n, m), with N lines and c agents:

* a first dial (rate lam) takes a line if n < N; else the caller joins the orbit with p_b;
* a redial (rate m gamma) takes a line if n < N (m - 1); else it stays in the orbit with p_b,
  and leaves it (gives up) otherwise;
* a call ends (rate min(n, c) mu): n - 1;
* a waiting caller abandons (rate (n - c)+ theta): n - 1, and joins the orbit with p_a.

The orbit is cut at a size M whose stationary mass is below ``TAIL_TOL`` (M doubles until it
is), and the chain is solved as a sparse linear system. Seconds inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

from sim.analytic.steady import _bad, _int, _nonneg, _positive, _prob, answered_waits

#: Stationary mass allowed at the orbit cut.
TAIL_TOL = 1e-12
#: Largest number of states the chain may have.
MAX_STATES = 2_000_000
#: Largest memory the sparse solve may need, bytes (an estimate of the LU factors).
MAX_BYTES = 1_000_000_000


def solve_bytes(n_lines: int, m_max: int) -> int:
    """Bytes the sparse LU of the chain needs, about: states x (2 x bandwidth + a few) x 12.

    States are numbered orbit-major (``m (N + 1) + n``), so every transition stays within
    ``N + 1`` of the diagonal and the factors' fill is bounded by that band.
    """
    states = (n_lines + 1) * (m_max + 1)
    return states * (2 * (n_lines + 1) + 8) * 12


@dataclass(frozen=True)
class RetrialMetrics:
    """Stationary figures of the retrial queue, per attempt or per first-dialling caller.

    ``p_blocked`` = blocked attempts / attempts; ``p_abandon`` = abandoned / (answered +
    abandoned); ``attempts_per_caller`` and ``gave_up_rate`` count per first dial;
    ``occupancy`` = mean busy agents / agents; ``mean_orbit`` = mean callers waiting to redial;
    ``orbit_cut`` the orbit size the chain was cut at; ``asa_s`` and ``service_level``
    (answered within ``within_s``) of answered attempts, first dials and redials alike.
    """

    p_blocked: float
    p_abandon: float
    attempts_per_caller: float
    gave_up_rate: float
    occupancy: float
    mean_orbit: float
    orbit_cut: int
    asa_s: float = math.nan
    service_level: float = math.nan


def _solve(
    lam: float, mu: float, theta: float, gamma: float, c: int, n_lines: int, pb: float,
    pa: float, m_max: int,
) -> np.ndarray:  # fmt: skip
    """Stationary distribution as an (N + 1) x (M + 1) array, orbit cut at ``m_max``."""
    rows_n, cols_m = n_lines + 1, m_max + 1
    n = np.repeat(np.arange(rows_n), cols_m)  # state (n, m) is number m * (N + 1) + n
    m = np.tile(np.arange(cols_m), rows_n)
    idx = m * rows_n + n  # orbit-major: transitions stay within N + 1 of the diagonal
    src, dst, rate = [], [], []

    def add(mask: np.ndarray, dn: int, dm: int, r: np.ndarray) -> None:
        keep = mask & (r > 0)
        src.append(idx[keep])
        dst.append(((m + dm) * rows_n + (n + dn))[keep])
        rate.append(r[keep])

    full, room = n == n_lines, n < n_lines
    below_cut = m < m_max
    add(room, 1, 0, np.full(n.shape, lam))  # a first dial takes a line
    add(full & below_cut, 0, 1, np.full(n.shape, lam * pb))  # blocked, will redial
    add(room & (m > 0), 1, -1, m * gamma)  # a redial takes a line
    add(full & (m > 0), 0, -1, m * gamma * (1 - pb))  # blocked again, gives up
    add(n > 0, -1, 0, np.minimum(n, c) * mu)  # a call ends
    waiting = np.maximum(n - c, 0) * theta
    add((n > c) & below_cut, -1, 1, waiting * pa)  # abandons, will redial
    add(n > c, -1, 0, waiting * (1 - pa))  # abandons, gives up
    add((n > c) & ~below_cut, -1, 0, waiting * pa)  # (at the cut: stays out of the orbit)
    s, d, r = np.concatenate(src), np.concatenate(dst), np.concatenate(rate)
    size = rows_n * cols_m
    q = sparse.coo_matrix((r, (s, d)), shape=(size, size)).tocsr()
    q = q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())
    # Balance pi Q = 0 with one equation replaced by sum(pi) = 1. (Fixing one state's value
    # instead is ill-conditioned when that state is rare, e.g. the empty centre at heavy load.)
    a = sparse.vstack([q.T.tocsr()[:-1, :], sparse.csr_matrix(np.ones((1, size)))]).tocsc()
    b = np.zeros(size)
    b[-1] = 1.0
    pi = np.clip(spsolve(a, b, permc_spec="NATURAL"), 0.0, None)  # keep the band
    return (pi / pi.sum()).reshape(cols_m, rows_n).T


def retrial_metrics(
    calls_per_s: float,
    handle_s: float,
    agents: int,
    lines: int | None,
    patience_s: float = math.inf,
    redial_after_busy: float = 0.0,
    redial_after_abandon: float = 0.0,
    redial_delay_s: float = 300.0,
    within_s: float = 20.0,
) -> RetrialMetrics:
    """Exact stationary metrics of M/M/c/N+M with redials (see the module docstring).

    ``lines`` must be finite (>= ``agents``); redial probabilities are in [0, 1), constant over
    attempts; the redial delay is exponential with mean ``redial_delay_s``.
    """
    lam = _nonneg("calls_per_s", calls_per_s)
    h = _positive("handle_s", handle_s)
    agents = _int("agents", agents, 1)
    n_lines = _int("lines", lines, agents)  # finite: the chain counts callers on the lines
    patience = _positive("patience_s", patience_s, allow_inf=True)
    pb = _prob("redial_after_busy", redial_after_busy)
    pa = _prob("redial_after_abandon", redial_after_abandon)
    if max(pb, pa) == 1.0:
        raise _bad("redial_after_busy and redial_after_abandon", "below 1", (pb, pa))
    delay = _positive("redial_delay_s", redial_delay_s)
    mu, theta, gamma = 1.0 / h, 1.0 / patience, 1.0 / delay
    if lam == 0.0:
        return RetrialMetrics(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0)
    m_max = 32  # doubled until the mass at the cut is negligible
    while True:
        if (n_lines + 1) * (m_max + 1) > MAX_STATES or solve_bytes(n_lines, m_max) > MAX_BYTES:
            raise ValueError(
                f"the exact chain is too large for this case (orbit cut {m_max} x "
                f"{n_lines + 1} line states: more than {MAX_STATES:,} states or about "
                f"{solve_bytes(n_lines, m_max) / 1e9:.1f} GB to solve, the limit is "
                f"{MAX_BYTES / 1e9:g} GB); lower the redial probability, the load or the lines"
            )
        pi = _solve(lam, mu, theta, gamma, agents, n_lines, pb, pa, m_max)
        if pi[:, -1].sum() < TAIL_TOL:
            break
        m_max *= 2
    n = np.arange(n_lines + 1)[:, None]
    m = np.arange(m_max + 1)[None, :]
    full = pi[n_lines, :]
    redial_rate = gamma * float((m * pi).sum())
    attempts = lam + redial_rate
    blocked = lam * float(full.sum()) + gamma * float((m[0] * full).sum())
    answered = mu * float((np.minimum(n, agents) * pi).sum())
    abandoned = theta * float((np.maximum(n - agents, 0) * pi).sum())
    gave_up = (1 - pb) * blocked + (1 - pa) * abandoned
    # What attempts that get a line see: first dials (lam) and redials (m gamma) by PASTA.
    seen = (pi[:n_lines, :] * (lam + gamma * m[0])[None, :]).sum(axis=1)
    seen = seen / seen.sum()
    asa_s, sl, _ = answered_waits(
        float(seen[:agents].sum()), seen[agents:], agents * mu, theta, within_s
    )
    return RetrialMetrics(
        p_blocked=blocked / attempts,
        p_abandon=abandoned / (answered + abandoned) if answered + abandoned > 0 else 0.0,
        attempts_per_caller=attempts / lam,
        gave_up_rate=gave_up / lam,
        occupancy=float((np.minimum(n, agents) * pi).sum()) / agents,
        mean_orbit=float((m * pi).sum()),
        orbit_cut=m_max,
        asa_s=asa_s,
        service_level=min(1.0, sl),
    )
