"""What the browser test and the hub test share: Debian's Chromium, free ports, honest skips."""

import os
import socket
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 120_000


def unavailable(reason, what):
    """Skip for a missing tool, saying how to get it; under CI (``CI=true``) fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (under CI a skipped {what} counts as a failure)")
    pytest.skip(reason)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_every_cell(settings_dir):
    """JupyterLab user settings that render every cell, not only those in view (tests find them all)."""
    folder = Path(settings_dir) / "@jupyterlab" / "notebook-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')


def run_all_cells(page, screenshot):
    """Run every cell of the open notebook, polling until the last code cell shows its count.

    A kernel that is still importing can swallow the first request, so Run All is tried up to three
    times. On failure a screenshot goes to ``screenshot`` (a path) and AssertionError is raised.
    """
    import re

    from playwright.sync_api import expect

    expect(page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle$"))).to_be_visible(
        timeout=WAIT_MS
    )
    last_prompt = page.locator(".jp-Notebook:visible .jp-CodeCell .jp-InputPrompt").last
    for _ in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
        try:
            expect(last_prompt).to_contain_text(re.compile(r"\[\d+\]"), timeout=WAIT_MS // 2)
            return
        except AssertionError:
            continue
    Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot))
    raise AssertionError(f"the last code cell never ran, after three Run All ({screenshot})")
