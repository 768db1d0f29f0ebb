"""TOML text for scenario files, with a comment beside any key (the standard library reads TOML
but does not write it).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


class Exact(float):
    """A float written in full rather than to 5 significant digits: for values whose sum must
    hold in the file, such as call-type shares.
    """


def value(v: Any) -> str:
    """One TOML value: numbers (5 significant digits, or :class:`Exact` in full), strings,
    dates, lists, inline tables.
    """
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Exact):
        return repr(float(v))
    if isinstance(v, float):
        if math.isinf(v):
            return '"inf"'
        text = f"{v:.5g}"
        if "e" in text:
            text = repr(float(text))
        return text
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(f"no TOML form for {type(v).__name__}")


class Document:
    """Lines of a TOML file, built table by table."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, text: str) -> None:
        """Add ``text`` as comment lines."""
        for line in text.splitlines() or [""]:
            self.lines.append(f"# {line}".rstrip())

    def table(self, name: str, note: str = "") -> None:
        """Start the table ``[name]``, after a blank line and an optional comment."""
        if self.lines:
            self.lines.append("")
        if note:
            self.comment(note)
        self.lines.append(f"[{name}]")

    def array_table(self, name: str) -> None:
        """Start one entry ``[[name]]`` of an array of tables."""
        self.lines.append("")
        self.lines.append(f"[[{name}]]")

    def key(self, name: str, v: Any, note: str = "") -> None:
        """``name = v``; a note goes on the line above (long values stay readable)."""
        if note:
            self.comment(note)
        self.lines.append(f"{name} = {value(v)}")

    def text(self) -> str:
        """The whole file's text, ending in a newline."""
        return "\n".join(self.lines) + "\n"
