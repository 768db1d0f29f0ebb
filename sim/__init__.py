"""helpline-sim: a discrete-event simulator of a 1930-style cyber-fraud helpline.

The pipeline is scenario -> model -> records -> metrics. The model core
(:mod:`sim.model`) knows nothing of files, the command line or plots.
"""

__version__ = "0.1.0"
