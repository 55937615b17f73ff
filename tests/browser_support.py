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
