"""A class on one JupyterHub, for real: the recipe in hub/, two learners, Debian's Chromium.

The test starts JupyterHub on 127.0.0.1 with ``hub/jupyterhub_config.py`` and changes only what a
test must: the dummy authenticator, a spawner that needs no system accounts, free ports and a
temporary folder for the hub's database, cookie secret and the learners' homes. Two learners log in
through the hub's login page; each finds their own copy of the learner notebooks, runs notebook 02
to the end and toggles its Jacobian explorer; a cell one learner adds and saves stays theirs.

Needs configurable-http-proxy (``npm install -g configurable-http-proxy``), Chromium
(``apt-get install chromium``), Playwright and JupyterHub (``requirements-dev.txt``). Without them
the test skips, saying so; under CI (``CI=true``) that skip is a failure instead.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT_MS,
    free_port,
    render_every_cell,
    run_all_cells,
    unavailable,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "hub" / "jupyterhub_config.py"
FOLDER = "backprop-through-softmax"  # where the hub's hook puts each learner's copy
NOTEBOOK = "02_softmax_jacobian.ipynb"
LEARNERS = ("ada", "grace")
ARTEFACTS = ROOT / "build" / "hub"


def _require_tools():
    proxy = shutil.which("configurable-http-proxy")
    if proxy is None:
        unavailable(
            "no configurable-http-proxy: run `npm install -g configurable-http-proxy` (needs Node.js)",
            "hub test",
        )
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM}: run `apt-get install chromium`", "hub test")
    for module in ("playwright.sync_api", "jupyterhub", "jupyterhub_idle_culler"):
        try:
            __import__(module)
        except ImportError:
            unavailable(f"{module} is not installed: `pip install -r requirements-dev.txt`", "hub test")
    return proxy


def _test_config(work, proxy, port):
    """The recipe, loaded as it is, then the few settings a test on one machine must change."""
    settings = work / "lab-settings"
    render_every_cell(settings)
    lines = [
        f"load_subconfig({str(CONFIG)!r})",
        'c.JupyterHub.authenticator_class = "dummy"',
        'c.JupyterHub.spawner_class = "simple"',
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(work / 'homes' / '{username}')!r}",
        f'c.JupyterHub.bind_url = "http://127.0.0.1:{port}"',
        'c.JupyterHub.hub_ip = "127.0.0.1"',
        f"c.JupyterHub.hub_port = {free_port()}",
        f'c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"',
        f"c.ConfigurableHTTPProxy.command = [{proxy!r}]",
        f'c.JupyterHub.db_url = "sqlite:///{work / "jupyterhub.sqlite"}"',
        f"c.JupyterHub.cookie_secret_file = {str(work / 'jupyterhub_cookie_secret')!r}",
        'c.Spawner.ip = "127.0.0.1"',
        f"c.Spawner.environment = dict(c.Spawner.environment, JUPYTERLAB_SETTINGS_DIR={str(settings)!r})",
    ]
    if os.geteuid() == 0:  # CI runs as root; the recipe's servers run as the learners' accounts
        lines.append('c.Spawner.args = ["--allow-root"]')
    path = work / "jupyterhub_test_config.py"
    path.write_text("\n".join(lines) + "\n")
    return path


def _stop(process, timeout=30):
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """JupyterHub with the course's recipe, on a free port of 127.0.0.1; stopped with all it started."""
    proxy = _require_tools()
    import psutil

    work = tmp_path_factory.mktemp("hub")
    port = free_port()
    config = _test_config(work, proxy, port)
    log_path = work / "jupyterhub.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=work,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # poll the hub, through its proxy, until it answers
        try:
            with urllib.request.urlopen(f"{base}/hub/api/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"JupyterHub did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.25)
    yield base, work
    # The hub stops the learners' servers and the proxy itself; anything of its own that is still
    # running afterwards (a kernel, a server) is ended by its process id.
    started = psutil.Process(process.pid).children(recursive=True)
    _stop(process)
    _, alive = psutil.wait_procs(started, timeout=20)
    for leftover in alive:
        leftover.kill()
    log.close()


def _login(browser, base, name):
    """A learner's own browser: log in on the hub's page and land in their JupyterLab."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.goto(f"{base}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", "any password will do for the dummy authenticator")
    page.click("#login_submit")
    # The hub starts the learner's server and sends them to the recipe's first notebook.
    page.wait_for_url(re.compile(rf"/user/{name}/lab/tree/{FOLDER}/00_start_here\.ipynb"), timeout=WAIT_MS)
    expect(page.locator(".jp-Notebook:visible")).to_have_count(1, timeout=WAIT_MS)
    return page


def _run_all(page, name):
    """Run every cell of the open notebook; poll until the last code cell shows its count."""
    run_all_cells(page, ARTEFACTS / f"failed-{name}.png")


def _learner_session(browser, base, name):
    """Log in, find one's own notebooks, run notebook 02 and toggle its widget, as a learner would."""
    from playwright.sync_api import expect

    page = _login(browser, base, name)
    listing = page.locator(".jp-DirListing-content")
    page.goto(f"{base}/user/{name}/lab/tree/{FOLDER}?reset")
    for number in range(10):
        expect(listing.get_by_text(re.compile(rf"^0{number}_\w+\.ipynb$"))).to_have_count(1, timeout=WAIT_MS)
    page.goto(f"{base}/user/{name}/lab/tree/{FOLDER}/{NOTEBOOK}?reset")
    expect(page.locator(".jp-Notebook:visible")).to_have_count(1, timeout=WAIT_MS)
    _run_all(page, name)
    verdict = page.locator("b.verdict:visible").first
    expect(verdict).to_contain_text("PASSES", timeout=WAIT_MS)
    before = verdict.inner_text()
    widget = page.locator(".widget-vbox").filter(has=verdict).first
    widget.get_by_role("button", name="diagonal only").click()
    expect(verdict).to_contain_text("FAILS", timeout=WAIT_MS)
    expect(verdict).not_to_have_text(before)
    return page


def _add_and_save_a_cell(page, text):
    """Select the first cell, add a code cell under it holding ``text``, and save the notebook."""
    from playwright.sync_api import expect

    page.locator(".jp-Notebook:visible .jp-Cell").first.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # command mode: a new code cell below, selected
    page.keyboard.press("Enter")  # edit it
    page.keyboard.type(text)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-Notebook:visible").get_by_text(text).first).to_be_visible(timeout=WAIT_MS)


def _contents(page, base, owner):
    """Fetch ``owner``'s copy of notebook 02 through the hub, with the cookies of ``page``'s learner."""
    return page.request.get(f"{base}/user/{owner}/api/contents/{FOLDER}/{NOTEBOOK}", max_redirects=10)


def test_two_learners_each_run_their_own_copy_of_notebook_02(hub, browser_for_hub):
    from playwright.sync_api import expect

    base, work = hub
    started = time.monotonic()
    ada, grace = LEARNERS
    pages = {name: _learner_session(browser_for_hub, base, name) for name in LEARNERS}

    # Each learner's copy is their own file, in their own home.
    homes = {name: work / "homes" / name / FOLDER for name in LEARNERS}
    for name in LEARNERS:
        assert sorted(p.name for p in homes[name].glob("*.ipynb")) == sorted(
            p.name for p in (ROOT / "notebooks" / "learner").glob("*.ipynb")
        )

    # Ada adds a cell to her notebook 02 and saves it; it reaches her file, not Grace's.
    note = f"note = 'written by {ada} at {time.time():.0f}'"
    _add_and_save_a_cell(pages[ada], note)
    deadline = time.monotonic() + WAIT_MS / 1000
    while note not in (homes[ada] / NOTEBOOK).read_text():  # poll until the save lands on disk
        assert time.monotonic() < deadline, "Ada's save never reached her notebook"
        time.sleep(0.25)
    # (Not a byte-for-byte comparison: JupyterLab may autosave Grace's run of the notebook.)
    assert note not in (homes[grace] / NOTEBOOK).read_text()

    # Through the hub, Grace reads her own copy, without Ada's cell ...
    mine = _contents(pages[grace], base, grace)
    assert mine.status == 200, mine.status
    assert note not in json.dumps(mine.json()["content"])
    # ... and neither learner can read the other's server.
    for reader, owner in ((grace, ada), (ada, grace)):
        theirs = _contents(pages[reader], base, owner)
        assert theirs.status == 403, f"{reader} got {owner}'s notebook: {theirs.status} from {theirs.url}"

    # Grace reloads her notebook: still the course's, no cell of Ada's.
    pages[grace].reload()
    expect(pages[grace].locator(".jp-Notebook:visible .jp-Cell").first).to_be_visible(timeout=WAIT_MS)
    expect(pages[grace].locator(".jp-Notebook:visible").get_by_text(note)).to_have_count(0)

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, page in pages.items():
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"))
        page.context.close()
    print(f"two learners on the hub in {time.monotonic() - started:.0f} s")


@pytest.fixture(scope="module")
def browser_for_hub():
    _require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
