"""Shared command-line plumbing: the one error route, execution options, scenario overrides.

Every command reports bad input the same way: one ``error: ...`` line on
stderr and exit code 2, nothing written. :func:`friendly_errors` turns the
library's errors into that line, showing the command's option
(``--max``) where the library names its parameter (``max_replications``);
:class:`OneLineCommand` does the same for click's own parse errors.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import IO, Any, NoReturn, TypeVar

import click

from sim.errors import ExperimentError, ScenarioError
from sim.executors import EXECUTORS, Execution
from sim.scenario import Scenario, load_scenario, variant

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2

#: Library parameter -> the option that sets it, where the option is not ``--<parameter>``.
OPTION_OF = {"max_replications": "--max", "out_dir": "--out", "only": "--replication"}

#: Command-line options that override one ``[horizon]`` key.
HORIZON_OPTIONS = {
    "days": "horizon.days",
    "replications": "horizon.replications",
    "seed": "horizon.seed",
}


def option_for(parameter: str) -> str:
    """The option that sets a library parameter: ``max_replications`` -> ``--max``."""
    return OPTION_OF.get(parameter, "--" + parameter.replace("_", "-"))


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with code 2 (bad input)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def draw_to_files() -> None:
    """Charts from the command line go to files only: matplotlib's Agg backend, never a window.

    Chosen here, by each command that draws, and not when a chart module is imported, so a
    notebook importing :mod:`sim.report.charts` keeps its inline backend. Call it before the
    first figure is made.
    """
    import matplotlib

    matplotlib.use("Agg")


def friendly_errors(fn: F) -> F:
    """Turn scenario, experiment and file errors into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            fail(str(exc))
        except ExperimentError as exc:
            fail(str(exc.as_option(option_for(exc.parameter)) if exc.parameter else exc))
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}")

    return wrapper  # type: ignore[return-value]


class _OneLineUsageError(click.UsageError):
    """Click's usage error, shown as a single ``error: ...`` line (exit code 2)."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class OneLineCommand(click.Command):
    """A command whose parse errors (bad types, missing options) are one line too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the options; a usage error becomes one line naming the option."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _OneLineUsageError(exc.format_message(), ctx) from None


def executor_options(fn: F) -> F:
    """``--executor``, ``--workers`` and ``--scheduler``, for the commands that fan out widely."""
    fn = click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler to run on, e.g. tcp://10.0.0.5:8786 (implies --executor dask).",
    )(fn)
    fn = workers_option(fn)
    return click.option(
        "--executor",
        type=click.Choice(EXECUTORS),
        help="Where runs execute [default: processes; dask if --scheduler is given].",
    )(fn)


def workers_option(fn: F) -> F:
    """``--workers``: local processes (or local-cluster workers with ``--executor dask``)."""
    return click.option(
        "--workers",
        type=int,
        default=None,
        help="Local processes (or local-cluster workers) [default: all cores; 1 = serial].",
    )(fn)


def execution(
    *,
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Execution:
    """The one execution value of a command, from its options (validated here, once)."""
    return Execution(executor, workers, scheduler, progress)


def scenario_from(
    path: str, sets: tuple[str, ...] = (), *, name_variant: bool = False, **options: Any
) -> Scenario:
    """The scenario file with ``--set KEY=VALUE`` and horizon options applied, validated.

    ``options`` are the given values of :data:`HORIZON_OPTIONS` (``days=7``;
    ``None`` means not given). A bad value is reported as the file's would be,
    naming the option it came from: ``... got 0 (from --set horizon.days=0)``.
    With ``name_variant`` a variant made by ``--set`` is named after its changes
    (``horizon.*`` keys say how long to measure, not what, and are left out), so a
    compare column never shows the base file's name for a scenario it does not
    describe; ``--set scenario.name=...`` names it outright.
    """
    sc = load_scenario(path)
    changes: dict[str, Any] = {}
    source: dict[str, str] = {}
    if sets:
        from sim.cli.options import parse_set
        from sim.experiment.grid import toml_literal, variant_name

        changes = parse_set(sets)
        source = {k: f"--set {k}={toml_literal(v)}" for k, v in changes.items()}
        what = {k: v for k, v in changes.items() if not k.startswith("horizon.")}
        if name_variant and what and "scenario.name" not in changes:
            changes["scenario.name"] = variant_name(sc.name, what)
            source["scenario.name"] = "the name compare gives a --set variant"
    for name, value in options.items():
        if value is not None:
            changes[HORIZON_OPTIONS[name]] = value
            source[HORIZON_OPTIONS[name]] = f"--{name}"
    return variant(sc, changes, source=source)
