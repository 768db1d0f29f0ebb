"""Presentation and I/O: charts, output files, value formatting, JSON values."""
