"""Benchmarks: speed and memory measured as ratios against references run alongside."""
