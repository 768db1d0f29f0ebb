"""Shared command-line plumbing: clean one-line errors with exit code 2."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from sim.errors import ExperimentError, ScenarioError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2


def fail(message: str) -> None:
    """Print ``error: message`` on stderr and exit with code 2 (bad input)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def friendly_errors(fn: F) -> F:
    """Turn scenario and input errors into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            fail(str(exc))
        except ExperimentError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}")

    return wrapper  # type: ignore[return-value]


def overrides(**values: Any) -> dict[str, Any]:
    """Dotted scenario overrides from command-line options that were given."""
    return {k.replace("__", "."): v for k, v in values.items() if v is not None}
