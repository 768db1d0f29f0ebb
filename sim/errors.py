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

    def in_file(self, file: str) -> ScenarioError:
        """Return the same error, attributed to ``file`` (if it had no file yet)."""
        if self.file is None:
            self.file = file
            self.args = (self._render(),)
        return self


class ExperimentError(ValueError):
    """A sweep, comparison or replication plan cannot run as asked.

    Raised before any simulation starts (bad ``--vary`` syntax, an output
    folder that holds a different sweep, a missing optional dependency). The
    message is one line that names the argument and what was given.
    """
