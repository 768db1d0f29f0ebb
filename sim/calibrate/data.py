"""Where the shared data sets are: the bank log the tests and notebook 08 calibrate against.

The data are not in the repository (they are another project's publication, and large): they sit
in a ``shared/data`` folder beside the checkout (``<checkout>/../shared/data/``, or one level
further up for a git worktree in a subfolder), or beside the local checkout a clone was made
from (its ``origin`` is a folder: ``git clone . /tmp/x`` still finds them). A clone elsewhere
points at them with the environment variable ``HELPLINE_SHARED_DATA`` (the folder holding the
files), which, when set, is the only place looked in, so a wrong setting is reported rather than
passed over.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

#: The environment variable naming the data folder.
ENV = "HELPLINE_SHARED_DATA"
#: The Anonymous Bank call log, February 1999 (Brown et al. 2005); docs/calibration.md.
BANK_LOG = "anonymous-bank-feb1999.tsv"
_CHECKOUT = Path(__file__).resolve().parents[2]


def candidates() -> list[Path]:
    """The folders looked in, in order: ``$HELPLINE_SHARED_DATA`` alone when it is set."""
    if os.environ.get(ENV):
        return [Path(os.environ[ENV]).expanduser()]
    roots = [_CHECKOUT]
    origin = _local_origin(_CHECKOUT)
    if origin is not None:
        roots.append(origin)
    return [r.parent / "shared" / "data" for r in roots] + [
        r.parent.parent / "shared" / "data" for r in roots
    ]


def _local_origin(checkout: Path) -> Path | None:
    """The folder ``checkout`` was cloned from, when its ``origin`` remote is a local folder."""
    try:
        done = subprocess.run(
            ["git", "-C", str(checkout), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    url = done.stdout.strip().removeprefix("file://")
    if done.returncode != 0 or not url or "://" in url or ":" in url.split("/")[0]:
        return None  # no origin, or a remote one (https://, ssh://, host:path)
    path = Path(url).expanduser()
    if not path.is_absolute():
        path = checkout / path
    return path.resolve() if path.is_dir() else None


def shared_data(name: str = BANK_LOG) -> Path:
    """The path of the shared data file ``name``.

    Raises ``FileNotFoundError`` with one message saying where it looked and how to point at
    the file (``HELPLINE_SHARED_DATA``) when it is in none of :func:`candidates`.
    """
    places = candidates()
    for folder in places:
        if (folder / name).is_file():
            return folder / name
    where = ", ".join(str(p) for p in places)
    source = f"${ENV}" if os.environ.get(ENV) else f"the folders beside the checkout (or set {ENV})"
    raise FileNotFoundError(
        f"{name}: not found in {source}: looked in {where}; set {ENV} to the folder that holds "
        f"it (docs/calibration.md, 'Where the data are')"
    )
