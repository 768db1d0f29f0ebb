"""From a call log to a scenario, and a backtest of the scenario against the log.

``logs`` reads a log (the Anonymous Bank format, or any CSV through a column map) into one
canonical table of attempts; ``fits``, ``demand`` and ``staffing`` estimate the scenario's
parameters from it, with their uncertainty; ``writer`` writes the scenario file with a source
comment on every fitted key; ``report`` draws the calibration charts; ``backtest`` simulates the
log's days with the log's staffing and compares. docs/calibration.md describes the methods.
"""
