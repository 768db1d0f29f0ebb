"""The error raised for bad experiment arguments (as opposed to bad scenario values)."""

from __future__ import annotations


class ExperimentError(ValueError):
    """A sweep, comparison or replication plan cannot run as asked.

    Raised before any simulation starts (bad ``--vary`` syntax, an output
    folder that holds a different sweep, a missing optional dependency). The
    message is one line that names the argument and what was given.
    """
