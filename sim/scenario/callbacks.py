"""The ``[callbacks]`` table: callbacks ("virtual hold") offered to callers who would queue.

Off unless ``enabled = true``; docs/scenarios.md lists the keys, their units and labels.
"""

from __future__ import annotations

from sim.errors import ScenarioError, described
from sim.scenario.reader import Reader
from sim.scenario.values import CALLBACK_PRIORITIES, Callbacks


def read_callbacks(r: Reader, type_names: list[str]) -> Callbacks:
    """Validate ``[callbacks]``; ``type_names`` are the scenario's call types, in order."""
    enabled = r.boolean("enabled", False)
    offered = r.strings("call_types", tuple(type_names))
    for name in offered:
        if name not in type_names:
            raise ScenarioError(
                r.key("call_types"), "names from call_types (" + ", ".join(type_names) + ")", name
            )
    out = Callbacks(
        enabled=enabled,
        offer_at_queue=r.number("offer_at_queue", 10, lo=0, integer=True),
        accept_share=r.number("accept_share", 0.5, lo=0, hi=1),
        offered_types=tuple(i for i, n in enumerate(type_names) if n in offered),
        priority=r.choice("priority", CALLBACK_PRIORITIES, "live_first"),
        answer_share=r.number("answer_share", 0.8, lo=0, hi=1),
        ring=r.dist("ring", {"dist": "deterministic", "value_s": 30}),
        retry_delay=r.dist("retry_delay", {"dist": "deterministic", "value_min": 10}),
        max_tries=r.number("max_tries", 3, lo=1, hi=100, integer=True),
    )
    r.finish()
    if out.enabled and out.max_tries > 1 and out.answer_share < 1 and out.retry_delay.mean <= 0:
        raise ScenarioError(
            r.key("retry_delay"),
            "a delay with a mean > 0 when a callback can be tried again (max_tries > 1)",
            described("<always 0 s>"),
        )
    if out.enabled and out.answer_share < 1 and out.ring.mean <= 0:
        raise ScenarioError(
            r.key("ring"),
            "a ring time with a mean > 0 when a callback can go unanswered (answer_share < 1)",
            described("<always 0 s>"),
        )
    return out
