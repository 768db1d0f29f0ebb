"""Planning: staff per interval for the targets, shift plans, rosters, and the proof by simulation.

``demand`` reads the load a scenario offers per interval; ``targets`` the goals; ``requirements``
sizes each interval by SIPP, lagged SIPP and MOL; ``isa`` by simulation (Feldman, Mandelbaum,
Massey & Whitt 2008); ``shifts`` covers a requirement with shift templates (an integer program);
``roster`` assigns named people; ``verify`` simulates a plan; ``files`` writes it out.
"""
