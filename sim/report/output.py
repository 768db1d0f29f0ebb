"""Writing results: Parquet tables, summary.json and charts, all-or-nothing per file.

Files are first written into a hidden staging folder inside the output folder
and then moved into place with ``os.replace`` (atomic on one file system), so
an interrupted run never leaves a half-written file and earlier results are
only replaced by complete new ones.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from sim.report.jsonvalues import json_value


def summary_json(
    scenario_name: str,
    replications: int,
    summary: pd.DataFrame,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``--json`` document: scenario, replications and every metric's mean and CI."""
    metrics = {
        row.metric: {
            "mean": json_value(row.mean),
            "ci95": [json_value(row.ci95_lo), json_value(row.ci95_hi)],
            "unit": row.unit,
        }
        for row in summary.itertuples()
    }
    doc: dict[str, Any] = {
        "scenario": scenario_name,
        "replications": replications,
        "metrics": metrics,
    }
    if extra:
        doc.update(extra)
    return doc


@contextmanager
def staged(out_dir: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on success move every file in it into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield stage
        for f in sorted(stage.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write one table as Parquet (categoricals kept)."""
    df.to_parquet(path, index=False)


def write_json(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
