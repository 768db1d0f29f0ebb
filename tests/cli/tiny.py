"""A tiny scenario file for command-line tests that must run many times (fuzz and kill tests).

Six simulated hours of a small queue, with ``[limits]`` set low, so any valid variant of it
runs in about a second.
"""

from __future__ import annotations

TINY_TOML = """\
[scenario]
name = "tiny"

[horizon]
days = 0.25
warmup_days = 0
seed = 7
replications = 1

[arrivals]
mode = "constant"
calls_per_h = 30
daily_cv = 0.1

[call_types.call]
share = 0.7
talk = {dist = "lognormal", mean_min = 3, cv = 0.5}
after_call = {dist = "gamma", mean_s = 30, cv = 0.5}
patience = {dist = "exponential", mean_min = 2}
redial = {after_busy = 0.5, after_abandon = 0.5, max_attempts = 3, delay_after_busy = 60}

[call_types.other]
share = 0.3
talk = {dist = "mixture", components = [
  {weight = 1, dist = "deterministic", value_s = 60},
  {weight = 2, dist = "uniform", low_s = 10, high_s = 90},
]}
victim_delay = {dist = "empirical", samples_min = [1, 5, 30]}

[[arrivals.surges]]
start_h = 1
duration_h = 1
multiplier = 2

[lines]
count = 4

[staff]
mode = "headcount"
seats = 3
shifts = [{name = "all", start = "00:00", hours = 24}]
headcount = {call_takers = [3], escalation = [1]}

[limits]
people = 50
days = 2
callers = 5000
replications = 3
attempts_per_caller = 10
"""
