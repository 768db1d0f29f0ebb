"""Table cells and figures as JSON values: the one converter every ``--json`` document uses.

numpy scalars are unwrapped to Python numbers; NaN, infinities, ``None`` and
``pd.NA`` become ``null`` (JSON has no NaN: ``json.dumps`` would write the
invalid ``NaN``); lists, tuples and dicts are converted item by item.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def json_value(value: Any) -> Any:
    """``value`` as a JSON-ready Python value (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if type(value).__name__ == "NAType":  # pd.NA, without importing pandas
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_records(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows (``df.to_dict("records")``) with every cell converted."""
    return [json_value(row) for row in rows]
