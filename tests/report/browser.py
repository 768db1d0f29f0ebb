"""Headless Chromium (Debian's ``chromium``) driven by Playwright, for the HTML pages' tests.

One browser per test module (the ``browser`` fixture: import it into the test module).
:func:`open_page` opens a file at a width and records console errors, page errors and every
request that is not the file itself, so a test can assert the page is self-contained.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Opened:
    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def screenshot(self, path: Path | None = None) -> np.ndarray:
        png = self.page.screenshot(full_page=True)
        if path is not None:
            path.write_bytes(png)
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def open_page(context: Any, path: Path, width: int) -> Opened:
    """``path`` in a new page ``width`` CSS pixels wide, with its errors and requests."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    opened = Opened(page)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    url = path.resolve().as_uri()
    page.on("request", lambda r: opened.requests.append(r.url) if r.url != url else None)
    page.goto(url)
    page.wait_for_load_state("load")
    return opened


def not_blank(image: np.ndarray) -> bool:
    """A screenshot with content: many colours, and at least 2% of pixels not the background
    (the most common colour).
    """
    flat = image.reshape(-1, 3)[:: max(image.shape[0] * image.shape[1] // 300_000, 1)]
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    return len(colours) > 20 and 1 - counts.max() / counts.sum() > 0.02


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A browser context in a fresh user-data dir; requests other than file:// are aborted
    (and recorded by :func:`open_page`).
    """
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True
        )
        context.route("http*://**", lambda route: route.abort())
        yield context
        context.close()
