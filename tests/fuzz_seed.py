"""The seed of the fuzz tests: from the checkout's commit, so each commit gets new inputs and
every run of one commit the same (printed; ``HELPLINE_FUZZ_SEED`` tries another).
"""

from __future__ import annotations

import os
import subprocess
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commit_seed() -> int | None:
    """A seed from the checkout's commit (None outside a git checkout).

    Each commit is fuzzed with new inputs, and the same commit always with the same ones, so
    a run on a fresh clone tries exactly the inputs any other run of that commit will try.
    """
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return zlib.crc32(head.encode()) if head else None


def fuzz_seed() -> int:
    env = os.environ.get("HELPLINE_FUZZ_SEED")
    seed = int(env) if env else commit_seed()
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "big")
    print(f"fuzz seed {seed} (replay with HELPLINE_FUZZ_SEED={seed})")  # noqa: T201
    return seed
