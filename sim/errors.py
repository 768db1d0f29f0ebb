"""Errors raised for bad input, before any simulation starts."""

from __future__ import annotations

from typing import Any


class ScenarioError(ValueError):
    """A scenario value is missing, of the wrong type or out of range.

    The message names the file, the dotted key, what is allowed and what was
    given, so a user can fix the file without reading code.
    """

    def __init__(
        self, key: str, allowed: str, got: Any, file: str | None = None, origin: str | None = None
    ) -> None:
        self.key = key
        self.allowed = allowed
        self.got = got
        self.file = file
        self.origin = origin  # where the value came from when not the file (a CLI option)
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"{self.file}: " if self.file else ""
        got = self.got if isinstance(self.got, str) and self.got.startswith("<") else repr(self.got)
        origin = f" (from {self.origin})" if self.origin else ""
        return f"{where}{self.key}: must be {self.allowed}; got {got}{origin}"

    def from_origin(self, origin: str) -> ScenarioError:
        """The same error, saying the value came from ``origin`` (kept if it already says)."""
        return ScenarioError(self.key, self.allowed, self.got, self.file, self.origin or origin)

    def in_file(self, file: str) -> ScenarioError:
        """Return the same error, attributed to ``file`` (if it had no file yet)."""
        if self.file is None:
            self.file = file
            self.args = (self._render(),)
        return self


class ExperimentError(ValueError):
    """A sweep, comparison, replication plan or execution cannot run as asked.

    Raised before any simulation starts (bad ``vary`` syntax, an output
    folder that holds a different sweep, a missing optional dependency). The
    message is one line; ``parameter`` names the library parameter it is about
    (``"workers"``, ``"max_replications"``), shown first as ``parameter: ...``.
    The command line shows its own option instead (:meth:`as_option`).
    """

    def __init__(self, message: str, parameter: str | None = None) -> None:
        self.message = message
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}" if parameter else message)

    def as_option(self, option: str) -> ExperimentError:
        """The same error, naming ``option`` (``--max``) instead of the parameter."""
        return ExperimentError(self.message, option)
