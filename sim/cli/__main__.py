"""``python -m sim.cli`` runs the ``helpline`` command."""

from sim.cli import main

main()
