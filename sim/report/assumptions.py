"""The scenario's values and their source labels, read from the scenario file's comments.

Shipped scenario files mark each value with a label in a trailing comment (docs/scenarios.md:
**S** sourced, **D** derived, **A** assumption, or a pair such as ``S/D``), for example
``callers_per_day = 1500    # S: Mar 2023 36,296/month``. The report lists every labelled
or unlabelled key of the file and the files it ``extends``, the child's line winning, so a
reader sees what rests on a source and what is a guess.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

_TABLE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"-]+)\s*=\s*(.*)$")
_LABEL = re.compile(r"#\s*((?:[SDA])(?:\s*/\s*[SDA])*)\b\s*:?\s*(.*)$")
LABELS = {"S": "sourced", "D": "derived", "A": "assumption"}


@dataclass(frozen=True)
class Assumption:
    """One scenario value shown in a report, with its source label (S, D, A)."""

    key: str
    value: str
    label: str  # "S", "D/A", ... or "" when the line has none
    note: str
    file: str

    @property
    def label_words(self) -> str:
        """The source label in words (sourced, derived, assumed)."""
        return " / ".join(LABELS[x.strip()] for x in self.label.split("/")) if self.label else ""


def _split_comment(text: str) -> tuple[str, str]:
    """``value  # comment`` -> (value, comment), not cutting at a ``#`` inside quotes."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return text[:i].strip(), text[i:]
    return text.strip(), ""


def _read(path: Path, seen: set[Path]) -> dict[str, Assumption]:
    path = path.resolve()
    if path in seen or not path.is_file():
        return {}
    seen.add(path)
    text = path.read_text(encoding="utf-8")
    rows: dict[str, Assumption] = {}
    parent: Path | None = None
    table, table_label, table_note = "", "", ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if m := _TABLE.match(line):
            table = m.group(1).replace('"', "")
            lab = _LABEL.search(_split_comment(line)[1])  # a label on the header covers the table
            table_label = re.sub(r"\s", "", lab.group(1)) if lab else ""
            table_note = lab.group(2).strip() if lab else ""
            continue
        m = _KEY.match(line)
        if not m:
            continue  # the continuation of a multi-line value
        key = f"{table}.{m.group(1)}" if table else m.group(1)
        value, comment = _split_comment(m.group(2))
        if key == "extends":
            parent = path.parent / value.strip("\"'")
            continue
        lab = _LABEL.search(comment)
        label = re.sub(r"\s", "", lab.group(1)) if lab else table_label
        note = lab.group(2).strip() if lab else comment.lstrip("# ").strip() or table_note
        if value in ("[", "{"):
            value += " ... (several lines)"
        if len(value) > 70:
            value = value[:67] + "..."
        rows[key] = Assumption(key, value, label, note, path.name)
    if parent is not None:
        return {**_read(parent, seen), **rows}
    return rows


def assumptions(scenario_file: str | Path) -> list[Assumption]:
    """Every key line of ``scenario_file`` and its ``extends`` parents, child lines winning,
    in file order; an unreadable file gives none.
    """
    try:
        tomllib.loads(Path(scenario_file).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    return list(_read(Path(scenario_file), set()).values())
