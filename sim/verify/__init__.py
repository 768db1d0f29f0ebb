"""Verification: the model against exact queueing formulas, Ciw, and hour-by-hour theory."""
