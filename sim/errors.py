"""Errors raised for bad input, before any simulation starts."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

#: Longest shown value, in characters: a wrong value is quoted, not echoed whole.
SHOWN_CHARS = 120


class Described(str):
    """A description of a value written by the program (``"<missing>"``), shown as it is.

    Every other value in a :class:`ScenarioError` comes from the user's file
    or command line and is shown quoted (``repr``), so a string that merely
    looks like a description (``"<missing>"``, or a fake traceback) cannot
    pass for one.
    """


def described(text: str) -> Described:
    """Mark ``text`` as the program's own description of a value (see :class:`Described`)."""
    return Described(text)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dotted(prefix: str, name: str) -> str:
    """The dotted key of ``name`` inside ``prefix``, ``name`` quoted as TOML would need it.

    A key with a dot, a space, a newline or an escape code (``"a.b"``), or an
    empty one (``""``), is quoted and escaped, so it reads as one key and
    keeps a message on one line.
    """
    part = name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)
    return f"{prefix}.{part}" if prefix else part


def one_line(text: str) -> str:
    """``text`` with every non-printable character escaped (newlines, terminal escape codes)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A user's value for a message: ``repr``, one line, cut after ``limit`` characters."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print (sys.set_int_max_str_digits)
        text = f"<a whole number of more than {sys.get_int_max_str_digits()} digits>"
    text = one_line(text)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text):,} characters)"
    return text


class ScenarioError(ValueError):
    """A scenario value is missing, of the wrong type or out of range.

    The message names the file, the dotted key, what is allowed and what was
    given, so a user can fix the file without reading code. It is always one
    line: keys and values are escaped and long values are cut (:func:`shown`).
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
        file = self.file or ""
        if len(file) > 2 * SHOWN_CHARS:  # keep the end: the file's own name
            file = f"...{file[-2 * SHOWN_CHARS :]}"
        where = f"{file}: " if file else ""
        got = self.got if isinstance(self.got, Described) else shown(self.got)
        origin = f" (from {self.origin})" if self.origin else ""
        key = self.key if self.key else '""'
        return one_line(f"{where}{key}: must be {self.allowed}; got {got}{origin}")

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
