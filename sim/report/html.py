"""Self-contained HTML pages from Jinja2 templates (sim/report/templates/, package data).

Jinja2 rather than string templates: it escapes every scenario-supplied text by default
(names and descriptions come from user files) and includes the page's script and styles
inline from their own files, so the page needs no server and fetches nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """The template environment: the package's templates, autoescaped, undefined names refused."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def script_json(value: Any) -> str:
    """``value`` as compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(template: str, **values: Any) -> str:
    """Render the named template with ``values``."""
    return environment().get_template(template).render(**values)
