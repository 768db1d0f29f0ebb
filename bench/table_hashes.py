"""Hash every shipped scenario's tables, to show a change leaves the numbers alone.

``python -m bench.table_hashes [--days 7] > before.json``, change the code, run it again and
diff: the attempts, callers, intervals and sessions tables of replication 0 (seed as shipped)
hash to the same digests when a refactor or a speed change kept every number to the bit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pandas as pd

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TABLES = ("attempts", "callers", "intervals", "sessions")


def table_digest(frame: pd.DataFrame) -> str:
    """A digest of a table's column names, dtypes and every value, row order included."""
    h = hashlib.sha256()
    h.update(repr([(c, str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def digests(days: float) -> dict[str, dict[str, str]]:
    """Digests of each shipped scenario's tables, replication 0, over ``days`` days."""
    import sim

    out: dict[str, dict[str, str]] = {}
    for path in sorted(SCENARIOS.glob("*.toml")):
        scenario = sim.variant(sim.load_scenario(path), {"horizon.days": days})
        records = sim.simulate(scenario, 0)
        out[path.stem] = {name: table_digest(getattr(records, name)) for name in TABLES}
    return out


def main() -> None:
    """Print a hash of every shipped scenario's tables as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    args = parser.parse_args()
    print(json.dumps(digests(args.days), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
