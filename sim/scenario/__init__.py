"""Scenario files: loading, validation, the immutable scenario values and their variants."""

from sim.scenario.load import load_scenario
from sim.scenario.values import Scenario
from sim.scenario.variants import variant

__all__ = ["Scenario", "load_scenario", "variant"]
