"""The error raised for bad experiment arguments (defined in :mod:`sim.errors`).

It lives beside ``ScenarioError`` so that the command line can catch it
without importing the experiment machinery (scipy, Dask, matplotlib).
"""

from __future__ import annotations

from sim.errors import ExperimentError

__all__ = ["ExperimentError"]
