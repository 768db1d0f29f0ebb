"""Scenario files: loading, validation and the immutable scenario values."""

from sim.scenario.load import load_scenario
from sim.scenario.values import Scenario

__all__ = ["Scenario", "load_scenario"]
