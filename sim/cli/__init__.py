"""The ``helpline`` command line: one click group, one module per subcommand."""

from __future__ import annotations

import time

#: ``time.perf_counter()`` when the command line was imported: with the interpreter's
#: start-up before it, the whole of a command (:func:`sim.cli.run.command_seconds`).
IMPORTED_AT_S = time.perf_counter()

import importlib  # noqa: E402 - after the clock, so the import of click counts

import click  # noqa: E402

from sim import __version__  # noqa: E402

#: Subcommand name -> module defining ``command``; a module is imported only when its command
#: runs (or ``--help`` lists them), so ``helpline run`` does not load Dask, Ciw or the sweeps.
COMMANDS = {
    name: f"sim.cli.{name}"
    for name in (
        "run",
        "erlang",
        "validate",
        "theory",
        "compare",
        "sweep",
        "replications",
        "replay",
        "report",
        "plan",
        "calibrate",
        "backtest",
    )
}


class _LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = importlib.import_module(COMMANDS[cmd_name]).command
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="helpline")
def main() -> None:
    """Simulate a 1930-style cyber-fraud helpline: wait times and reporting delay."""
