"""The ``helpline`` command line: one click group, one module per subcommand."""

from __future__ import annotations

import click

from sim import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="helpline")
def main() -> None:
    """Simulate a 1930-style cyber-fraud helpline: wait times and reporting delay."""


def _register() -> None:
    """Attach every subcommand module that exists; each module defines ``command``."""
    import importlib

    for name in ("run", "erlang", "validate", "theory", "compare", "sweep", "replications"):
        try:
            module = importlib.import_module(f"sim.cli.{name}")
        except ModuleNotFoundError as exc:  # subcommand not built yet
            if exc.name != f"sim.cli.{name}":
                raise
            continue
        main.add_command(module.command)


_register()
