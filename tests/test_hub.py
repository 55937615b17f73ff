"""A class on one JupyterHub, for real: real accounts, PAM, HTTPS, private files, limits, collecting.

The test follows hub/README.md as root on this machine, under names and folders of its own that it
removes afterwards (even when it fails): two learners and a teacher as real accounts with
passwords, the learner release in a folder under /opt with its own environment built with pip from
Debian's ``/usr/bin/python3`` (what the learners' servers run must be readable by them: a folder
under /root is not; the folder is a tmpfs when the machine allows, since writing and deleting an
environment's many files on disk took minutes here), a copy of the solutions and hidden cases in
the teacher's private home (standing for the teacher's clone), and a certificate it makes. It runs
``hub/jupyterhub_config.py`` as it is (PAM, the recipe's LocalProcessSpawner running each server as
its learner in a cgroup of that learner's, TLS) and changes only ports, the hub's own folder, the
parent of its cgroups and the CPU limit (half a core, so that a spin is throttled on any machine).
Both learners log in through
Chromium over HTTPS, run notebook 02 and its widget, and then, from inside each learner's kernel:
the classmate's notebooks, home and files in /tmp cannot be read, nor the teacher's solutions and
hidden cases; the kernel's course_utils is the release's, with no grader and no hidden case; what
the server saves is private (umask 077); a kernel asking for more than the memory limit gets a
MemoryError and goes on, while the classmate's kernel runs. Last, the teacher's collect command
gathers both learners' saved notebooks, one folder each, as the grader reads them. A second test
checks the per-learner cgroups: who is in which, two kernels of one learner past the learner's
memory limit (one is killed and restarted, the classmate goes on), a CPU spin throttled, and a
stopped server's group removed.

It needs root, ``useradd``, ``openssl``, ``/usr/bin/python3`` with ``venv``, configurable-http-proxy,
Chromium, a package index for pip, and cgroups (v2 with the memory, cpu and pids controllers, or
those three v1 hierarchies) it may write to. It changes the machine's accounts while it runs, so outside CI
it runs only when asked (``COURSE_HUB_REAL_ACCOUNTS=1``) and otherwise skips, saying why; under CI
(``CI=true``) every skip is a failure instead.
"""

import grp
import importlib.util
import json
import os
import pwd
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
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
COLLECT = ROOT / "hub" / "collect.py"
JOURNAL = Path("/var/tmp/backprop-course-hub-test.json")  # what a run made, until it is undone
FOLDER = "backprop-through-softmax"  # where the recipe puts each learner's copy
NOTEBOOK = "02_softmax_jacobian.ipynb"
HIDDEN = "course_utils/notebooks/nb02_softmax_jacobian.py"  # its GRADED list holds the hidden cases
SOLUTION = f"notebooks/solutions/{NOTEBOOK}"
SYSTEM_PYTHON = Path("/usr/bin/python3")  # Debian's python3, the one hub/README.md builds on
ARTEFACTS = ROOT / "build" / "hub"
GiB = 1024**3
MiB = 1024**2
LEARNER_MEMORY = 1536 * MiB  # the recipe's mem_limit: a learner's processes together
TEST_CPU_LIMIT = 0.5  # cores per learner here (the recipe: 1): one spinning process exceeds it anywhere


def _cgroups():
    """hub/learner_cgroup.py, the recipe's own code, to find and remove the groups the test made."""
    spec = importlib.util.spec_from_file_location("hub_learner_cgroup", ROOT / "hub" / "learner_cgroup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _require_tools():
    if os.environ.get("CI") != "true" and os.environ.get("COURSE_HUB_REAL_ACCOUNTS") != "1":
        pytest.skip(
            "creates real accounts and a folder under /opt while it runs: "
            "set COURSE_HUB_REAL_ACCOUNTS=1 (as root) to run it outside CI"
        )
    if os.geteuid() != 0:
        unavailable("needs root: it creates accounts and runs the hub as root", "hub test")
    proxy = shutil.which("configurable-http-proxy")
    if proxy is None:
        unavailable("no configurable-http-proxy: `npm install -g configurable-http-proxy`", "hub test")
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM}: `apt-get install chromium`", "hub test")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "chpasswd", "openssl"):
        if shutil.which(tool) is None:
            unavailable(f"no {tool}: `apt-get install passwd openssl`", "hub test")
    if subprocess.run([SYSTEM_PYTHON, "-c", "import venv, ensurepip"], capture_output=True).returncode:
        unavailable(f"no {SYSTEM_PYTHON} with venv: `apt-get install python3 python3-venv`", "hub test")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed: `pip install -r requirements-dev.txt`", "hub test")
    cgroups = _cgroups()
    try:
        cgroups.hierarchies()
    except cgroups.CgroupUnavailable as error:
        unavailable(f"the recipe starts no server without a cgroup per learner, and {error}", "hub test")
    return proxy


def _members(group):
    """The accounts in ``group`` (as a supplementary or primary group); empty if there is no such group."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return set()
    return set(entry.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == entry.gr_gid}


def _run(*command, **kwargs):
    return subprocess.run([str(c) for c in command], check=True, capture_output=True, text=True, **kwargs)


class Machine:
    """What the test adds to this machine, each undone by :meth:`undo` (idempotent, never raises).

    Each thing is written to :data:`JOURNAL` before it is made, so that a run killed before its
    undo (a CI job cancelled, a session ended) leaves a list the next run undoes first
    (:meth:`recover`): otherwise its accounts stay in the group ``course`` and the next run's
    teacher collects four learners instead of two.
    """

    KINDS = ("accounts", "groups", "folders", "mounts", "cgroup_parents")

    def __init__(self):
        self.accounts, self.groups, self.folders, self.processes, self.mounts = [], [], [], [], []
        self.cgroup_parents = []

    def _write_journal(self):
        made = {kind: [str(x) for x in getattr(self, kind)] for kind in self.KINDS}
        JOURNAL.write_text(json.dumps(made))
        JOURNAL.chmod(0o600)

    def add(self, kind, thing):
        """Record ``thing`` (of one of :attr:`KINDS`) as made by this run, in the journal first."""
        getattr(self, kind).append(thing)
        self._write_journal()

    @classmethod
    def recover(cls):
        """Undo what an earlier run recorded in the journal and did not undo; the steps, or ''."""
        try:
            made = json.loads(JOURNAL.read_text())
        except (OSError, ValueError):
            JOURNAL.unlink(missing_ok=True)
            return ""
        old = cls()
        for kind in cls.KINDS:
            setattr(old, kind, [Path(x) if kind in ("folders", "mounts") else x for x in made.get(kind, [])])
        return old.undo()

    def group(self, name):
        try:
            grp.getgrnam(name)
        except KeyError:
            self.add("groups", name)
            _run("groupadd", name)

    def account(self, name, groups, *options):
        self.add("accounts", name)
        _run("useradd", "-m", "-s", "/bin/bash", "-G", ",".join(groups), *options, name)
        password = secrets.token_urlsafe(12)
        _run("chpasswd", input=f"{name}:{password}\n")
        return password

    def folder(self, path):
        """A new folder, in memory (tmpfs) when this machine allows: many files go in and out quickly."""
        self.add("folders", Path(path))
        Path(path).mkdir(mode=0o755)
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", str(path)], capture_output=True
        )
        if mounted.returncode == 0:
            self.add("mounts", Path(path))
        return Path(path)

    def undo(self):
        import psutil

        began = time.monotonic()

        steps = []
        for process in self.processes:  # the hub, then anything its accounts still run
            _stop(process)
        steps.append(f"hub {time.monotonic() - began:.0f} s")
        uids = set()
        for name in self.accounts:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        leftovers = [
            p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in uids
        ]
        for p in leftovers:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(leftovers, timeout=10)
        for top in (Path("/tmp"), Path("/dev/shm")):  # what the learners left in the shared folders
            for entry in top.iterdir() if top.is_dir() else ():
                try:
                    if entry.lstat().st_uid in uids:
                        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
                except OSError:
                    pass
        for parent in self.cgroup_parents:  # the learners' groups, and what still runs in them
            _remove_cgroups(parent)
        steps.append(f"processes and cgroups {time.monotonic() - began:.0f} s")
        for name in self.accounts:
            subprocess.run(["userdel", "-r", name], capture_output=True)
        steps.append(f"accounts {time.monotonic() - began:.0f} s")
        for name in self.groups:
            subprocess.run(["groupdel", name], capture_output=True)
        steps.append(f"groups {time.monotonic() - began:.0f} s")
        for path in self.mounts:
            subprocess.run(["umount", str(path)], capture_output=True)
        for path in self.folders:  # rm is quicker than shutil.rmtree on an environment's many files
            subprocess.run(["rm", "-rf", "--one-file-system", str(path)], capture_output=True)
            shutil.rmtree(path, ignore_errors=True)
        steps.append(f"folders {time.monotonic() - began:.0f} s")
        report = ""
        if self.accounts or self.folders:
            report = f"undone in {time.monotonic() - began:.0f} s ({', '.join(steps)})"
            print("\n" + report)
        self.accounts, self.groups, self.folders, self.processes, self.mounts = [], [], [], [], []
        self.cgroup_parents = []
        JOURNAL.unlink(missing_ok=True)
        return report


def _remove_cgroups(parent):
    """Every learner's group under ``parent`` (its processes killed), then ``parent``; never raises."""
    cgroups = _cgroups()
    try:
        found = cgroups.hierarchies()
    except cgroups.CgroupUnavailable:
        return
    for root in sorted(set(found[1].values())):
        top = root / parent
        for child in sorted(top.iterdir()) if top.is_dir() else ():
            if child.is_dir():
                try:
                    cgroups.LearnerCgroup(child.name, parent, found).remove()
                except (OSError, cgroups.CgroupUnavailable):
                    pass
        try:
            top.rmdir()
        except OSError:
            pass


def _favour(parent):
    """Give the test's parent cgroup the largest CPU weight on this machine, before the hub makes
    the learners' groups in it.

    On a machine busy with other work (the project's is shared by several developers' test runs),
    the test's groups together would get less than the half core a learner may use, and a spin
    would never reach its quota. The weight only decides how the CPU is shared between this
    parent and the machine's other processes; within it, each learner's quota is the recipe's.
    """
    cgroups = _cgroups()
    version, roots = cgroups.hierarchies()
    top = roots["cpu"] / parent
    if version == "v2":
        control = roots["cpu"] / "cgroup.subtree_control"
        if "cpu" not in control.read_text().split():
            control.write_text("+cpu")
        top.mkdir(exist_ok=True)
        (top / "cpu.weight").write_text("10000")  # the largest
    else:
        top.mkdir(exist_ok=True)
        (top / "cpu.shares").write_text(str(2**18))  # the largest


def _stop(process, timeout=30):
    import psutil

    try:
        started = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        started = []
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    _, alive = psutil.wait_procs(started, timeout=20)
    for leftover in alive:
        leftover.kill()


def _certificate(folder):
    """A self-signed certificate for 127.0.0.1, as a teacher's would be for the server's name."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=course-hub-test", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", key, "-out", cert,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def _test_config(work, proxy, port, settings, cgroup_parent):
    """The recipe, loaded as it is; then ports, the hub's own folder and cgroups, for a test."""
    lines = [
        f"load_subconfig({str(CONFIG)!r})",
        # The recipe chose HTTPS because it found the certificate; the test keeps it, on a free port.
        'assert c.JupyterHub.bind_url == "https://:443", c.JupyterHub.bind_url',
        f'c.JupyterHub.bind_url = "https://127.0.0.1:{port}"',
        'c.JupyterHub.hub_ip = "127.0.0.1"',
        f"c.JupyterHub.hub_port = {free_port()}",
        f'c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"',
        f"c.ConfigurableHTTPProxy.command = [{proxy!r}]",
        f'c.JupyterHub.db_url = "sqlite:///{work / "jupyterhub.sqlite"}"',
        f"c.JupyterHub.cookie_secret_file = {str(work / 'jupyterhub_cookie_secret')!r}",
        # Only for the test's eyes: JupyterLab renders every cell, so the test finds them all.
        f"c.Spawner.environment = dict(c.Spawner.environment, JUPYTERLAB_SETTINGS_DIR={str(settings)!r})",
        # The learners' cgroups under a parent of the test's own, which it removes afterwards.
        f"c.CourseSpawner.cgroup_parent = {cgroup_parent!r}",
        # Half a core per learner instead of one, so that a spin is throttled on any machine.
        f"assert c.Spawner.cpu_limit == 1.0; c.Spawner.cpu_limit = {TEST_CPU_LIMIT}",
    ]
    path = work / "jupyterhub_test_config.py"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def hub(tmp_path_factory, request):
    """The recipe on this machine: accounts, release, environment, certificate and the hub, over HTTPS."""
    proxy = _require_tools()
    recovered = Machine.recover()  # what a killed earlier run left
    if recovered:
        print(f"\nan earlier run's leftovers {recovered}")
    strangers = _members("course") | _members("course-admin")
    if strangers:
        pytest.fail(
            f"the groups course and course-admin already have members ({', '.join(sorted(strangers))}),"
            " which this test did not make: it makes its own class and collects every member of"
            " course, so it must not run on a machine that has a class (or remove those accounts with"
            " `userdel -r`)"
        )
    machine = Machine()
    request.addfinalizer(machine.undo)  # registered before anything is made
    started = time.monotonic()
    try:
        tag = secrets.token_hex(3)
        names = {"ada": f"ada_{tag}", "grace": f"grace_{tag}", "teacher": f"teach_{tag}"}
        for group in ("course", "course-admin"):
            machine.group(group)
        # Learners as existing accounts are on Debian (home 0755): the recipe makes them private.
        passwords = {k: machine.account(names[k], ["course"]) for k in ("ada", "grace")}
        # The teacher as hub/README.md creates a new account: its home private from the start.
        passwords["teacher"] = machine.account(
            names["teacher"], ["course", "course-admin"], "-K", "HOME_MODE=0700"
        )
        teacher_home = Path(pwd.getpwnam(names["teacher"]).pw_dir)
        clone = teacher_home / FOLDER  # the teacher's clone, with the solutions and the hidden cases
        for part in ("notebooks/solutions", "course_utils"):
            shutil.copytree(ROOT / part, clone / part, ignore=shutil.ignore_patterns("__pycache__"))
        _run("chown", "-R", f"{names['teacher']}:{names['teacher']}", clone)

        opt = machine.folder(Path("/opt") / f"bts-hub-test-{tag}")
        release = opt / "release"
        _run(sys.executable, "-m", "course_utils.teaching.release", "-o", release)
        venv = opt / "venv"
        _run(SYSTEM_PYTHON, "-m", "venv", venv)
        _run(
            venv / "bin" / "python", "-m", "pip", "install", "-q",
            "-r", "requirements.txt", "-r", ROOT / "hub" / "requirements.txt",
            cwd=release,
        )  # fmt: skip
        render_every_cell(opt / "lab-settings")
        _run("chmod", "-R", "a+rX,go-w", opt)
        built = time.monotonic() - started

        work = tmp_path_factory.mktemp("hub")
        cert, key = _certificate(work)
        port = free_port()
        cgroup_parent = f"bts-hub-test-{tag}"
        machine.add("cgroup_parents", cgroup_parent)
        _favour(cgroup_parent)
        config = _test_config(work, proxy, port, opt / "lab-settings", cgroup_parent)
        env = dict(
            os.environ,
            COURSE_RELEASE=str(release),
            COURSE_HUB_TLS_CERT=str(cert),
            COURSE_HUB_TLS_KEY=str(key),
        )
        log_path = work / "jupyterhub.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [venv / "bin" / "jupyterhub", "-f", config],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=work,
                env=env,
            )
        machine.processes.append(process)
        base = f"https://127.0.0.1:{port}"
        trusted = ssl.create_default_context(cafile=str(cert))  # our certificate, checked
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/hub/api/", timeout=2, context=trusted) as r:
                    if r.status == 200:
                        break
            except (OSError, ssl.SSLError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterHub did not start:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.25)
        print(
            f"\nlearner environment built in {built:.0f} s; hub up after {time.monotonic() - started:.0f} s"
        )
        yield {
            "base": base,
            "port": port,
            "names": names,
            "passwords": passwords,
            "release": release,
            "clone": clone,
            "cert": cert,
            "work": work,
            "log": log_path,
            "cgroup_parent": cgroup_parent,
        }
    finally:
        machine.undo()


@pytest.fixture(scope="module")
def browser_for_hub():
    _require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _login(browser, hub, who):
    """A learner's own browser: the hub's login page over HTTPS, their password, their JupyterLab."""
    from playwright.sync_api import expect

    name = hub["names"][who]
    # The certificate is self-signed; the test checked it above with Python's ssl, against the file.
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, ignore_https_errors=True)
    page = context.new_page()
    response = page.goto(f"{hub['base']}/hub/login")
    assert response.url.startswith("https://") and response.security_details(), response.url
    assert response.security_details()["subjectName"] == "course-hub-test"
    page.fill("#username_input", name)
    page.fill("#password_input", hub["passwords"][who])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{name}/lab/tree/{FOLDER}/00_start_here\.ipynb"), timeout=WAIT_MS)
    expect(page.locator(".jp-Notebook:visible")).to_have_count(1, timeout=WAIT_MS)
    return page


def _learner_session(browser, hub, who):
    """Log in, find one's own notebooks, run notebook 02 and toggle its widget, as a learner would."""
    from playwright.sync_api import expect

    name, base = hub["names"][who], hub["base"]
    page = _login(browser, hub, who)
    listing = page.locator(".jp-DirListing-content")
    page.goto(f"{base}/user/{name}/lab/tree/{FOLDER}?reset")
    for number in range(10):
        expect(listing.get_by_text(re.compile(rf"^0{number}_\w+\.ipynb$"))).to_have_count(1, timeout=WAIT_MS)
    page.goto(f"{base}/user/{name}/lab/tree/{FOLDER}/{NOTEBOOK}?reset")
    expect(page.locator(".jp-Notebook:visible")).to_have_count(1, timeout=WAIT_MS)
    run_all_cells(page, ARTEFACTS / f"failed-{who}.png")
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


# What each learner's kernel runs: it writes a file of its own in /tmp and in its home, then tries
# everything it must not be able to do, and prints what happened as one JSON line.
PROBE = r"""
import json, os, resource, stat, sys
from pathlib import Path
P = json.loads(__PARAMS__)
out = {"user": os.environ["USER"], "uid": os.getuid()}
mine = Path(P["tmp"].format(user=out["user"]))
mine.write_text("scratch work")
(Path.home() / "written_by_my_kernel.txt").write_text("mine")
def attempt(action, path):
    try:
        action(path)
        return "read"
    except OSError as e:
        return type(e).__name__
read = lambda p: open(p, "rb").read(1)
for key, path in P["forbidden"].items():
    out[key] = attempt(read, path)
out["list the classmate's home"] = attempt(os.listdir, P["classmate_home"])
u = os.umask(0); os.umask(u); out["umask"] = oct(u)
mode = lambda p: oct(stat.S_IMODE(os.stat(p).st_mode))
out["modes"] = {"home": mode(Path.home()), "copy": mode(Path.home() / P["folder"]),
    "tmp file": mode(mine), "kernel file": mode(Path.home() / "written_by_my_kernel.txt")}
out["notebook modes"] = sorted({mode(p) for p in (Path.home() / P["folder"]).glob("*.ipynb")})
import course_utils
from course_utils.notebooks import NOTEBOOKS, companion
out["course_utils"] = course_utils.__file__
out["hidden cases"] = sum(len(companion(n).GRADED) for n in NOTEBOOKS)
out["sys.path in the teacher's folders"] = [p for p in sys.path if p.startswith(tuple(P["teacher"]))]
for module in ("course_utils.teaching", "course_utils.grading"):
    try:
        __import__(module)
        out[module] = "imported"
    except ImportError as e:
        out[module] = type(e).__name__
from ipykernel.kernelapp import IPKernelApp
out["kernel transport"] = IPKernelApp.instance().transport
listening = set()
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(table).readlines()[1:]:
        f = line.split()
        if f[3] == "0A" and int(f[7]) == os.getuid():
            listening.add((int(f[1].rsplit(":", 1)[1], 16), int(f[9])))
sockets = {}
for pid in os.listdir("/proc"):
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                sockets[int(target[8:-1])] = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")[:120]
    except OSError:
        pass
mine = set()
for fd in os.listdir("/proc/self/fd"):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        continue
    if target.startswith("socket:["):
        mine.add(int(target[8:-1]))
out["my listening ports"] = sorted(port for port, inode in listening)
def kind(command):
    known = [k for k in ("jupyterhub-singleuser", "ipykernel_launcher") if k in command]
    return known[0] if known else command
out["who listens"] = sorted({kind(sockets.get(inode, "?")) for port, inode in listening})
out["this kernel listens on"] = sorted(port for port, inode in listening if inode in mine)
out["its iopub pipe"] = IPKernelApp.instance().iopub_thread._pipe_port
from urllib.parse import urlsplit
out["server port"] = urlsplit(os.environ["JUPYTERHUB_SERVICE_URL"]).port
limit = resource.getrlimit
out["limits"] = {"data": limit(resource.RLIMIT_DATA), "nproc": limit(resource.RLIMIT_NPROC)}
out["MEM_LIMIT"] = os.environ.get("MEM_LIMIT")
out["CPU_LIMIT"] = os.environ.get("CPU_LIMIT")
"""
PROBE_MEMORY = r"""
import numpy as np
try:
    big = np.ones(__SIZE__ // 8)
    out["past the limit"] = f"allocated {big.nbytes} bytes"
    del big
except MemoryError as e:
    out["past the limit"] = f"MemoryError: {e}"
"""
PROBE_REPORT = """
out["still alive"] = sum(range(10))
print("PROBE " + json.dumps(out))
"""


def _xsrf(page, name):
    for cookie in page.context.cookies():
        if cookie["name"] == "_xsrf" and cookie["path"].startswith(f"/user/{name}"):
            return cookie["value"]
    raise AssertionError(f"no _xsrf cookie for {name}'s server")


def _probe(page, hub, who, run):
    """Put the probe notebook into ``who``'s home through their server, run it in their kernel, read it."""
    from playwright.sync_api import expect

    names, base = hub["names"], hub["base"]
    name = names[who]
    classmate = names["grace" if who == "ada" else "ada"]
    classmate_home = pwd.getpwnam(classmate).pw_dir
    params = {
        "tmp": "/tmp/bts-hub-test-{user}.txt",
        "folder": FOLDER,
        "classmate_home": classmate_home,
        "teacher": [str(hub["clone"]), str(ROOT)],
        "forbidden": {
            "the classmate's notebook": f"{classmate_home}/{FOLDER}/{NOTEBOOK}",
            "the classmate's file in /tmp": f"/tmp/bts-hub-test-{classmate}.txt",
            "the classmate's kernel file": f"{classmate_home}/written_by_my_kernel.txt",
            "the solutions": str(hub["clone"] / SOLUTION),
            "the hidden cases": str(hub["clone"] / HIDDEN),
        },
    }
    cells = [
        PROBE.replace("__PARAMS__", repr(json.dumps(params))),
        PROBE_MEMORY.replace("__SIZE__", str(3 * GiB)),
        PROBE_REPORT,
    ]
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
            for s in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = f"probe_{run}.ipynb"
    put = page.request.put(
        f"{base}/user/{name}/api/contents/{path}",
        data=json.dumps({"type": "notebook", "format": "json", "content": notebook}),
        headers={"X-XSRFToken": _xsrf(page, name), "Content-Type": "application/json"},
    )
    assert put.status in (200, 201), (put.status, put.text())
    page.goto(f"{base}/user/{name}/lab/tree/{path}?reset")
    expect(page.locator(".jp-Notebook:visible")).to_have_count(1, timeout=WAIT_MS)
    run_all_cells(page, ARTEFACTS / f"failed-probe-{who}-{run}.png")
    report = page.locator(".jp-Notebook:visible .jp-OutputArea-output").filter(has_text="PROBE ")
    expect(report).to_have_count(1, timeout=WAIT_MS)
    text = report.inner_text()
    return json.loads(text[text.index("PROBE ") + len("PROBE ") :].strip())


def test_what_a_killed_run_made_is_undone_by_the_next_one():
    """A run killed between making an account and undoing it: the next run's set-up removes it."""
    _require_tools()
    Machine.recover()
    killed = Machine()
    name = f"left_{secrets.token_hex(3)}"
    folder = killed.folder(Path("/var/tmp") / f"bts-hub-test-{name}")
    (folder / "work.ipynb").write_text("{}")
    killed.account(name, [])
    assert json.loads(JOURNAL.read_text())["accounts"] == [name]
    home = Path(pwd.getpwnam(name).pw_dir)
    del killed  # no undo: as if the run had been killed here

    report = Machine.recover()
    assert report.startswith("undone in"), report
    with pytest.raises(KeyError):
        pwd.getpwnam(name)
    assert not home.exists() and not folder.exists()
    assert not JOURNAL.exists()
    assert Machine.recover() == ""  # nothing left to undo


def test_each_learners_work_is_theirs_alone_on_the_recipes_hub(hub, browser_for_hub):
    from playwright.sync_api import expect

    started = time.monotonic()
    names, base = hub["names"], hub["base"]
    ada, grace = names["ada"], names["grace"]

    # Plain HTTP on the hub's port gets no login page.
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{hub['port']}/hub/login", timeout=5) as r:
            assert "password" not in r.read().decode(errors="replace").lower()
    except (OSError, urllib.error.HTTPError):
        pass

    pages = {who: _learner_session(browser_for_hub, hub, who) for who in ("ada", "grace")}

    # Ada adds a cell to her notebook 02 and saves it; it reaches her file, not Grace's.
    homes = {who: Path(pwd.getpwnam(names[who]).pw_dir) for who in ("ada", "grace")}
    note = f"note = 'written by ada at {time.time():.0f}'"
    _add_and_save_a_cell(pages["ada"], note)
    deadline = time.monotonic() + WAIT_MS / 1000
    while note not in (homes["ada"] / FOLDER / NOTEBOOK).read_text():
        assert time.monotonic() < deadline, "Ada's save never reached her notebook"
        time.sleep(0.25)
    assert note not in (homes["grace"] / FOLDER / NOTEBOOK).read_text()
    for reader, owner in ((grace, ada), (ada, grace)):  # the hub lets nobody into another's server
        who = "ada" if reader == ada else "grace"
        theirs = pages[who].request.get(
            f"{base}/user/{owner}/api/contents/{FOLDER}/{NOTEBOOK}", max_redirects=10
        )
        assert theirs.status == 403, f"{reader} got {owner}'s notebook: {theirs.status} from {theirs.url}"

    # From inside each learner's kernel. Ada goes first (Grace's /tmp file is not there yet), then
    # Grace, then Ada again in a fresh kernel, so that each tries to read the other's files.
    _probe(pages["ada"], hub, "ada", 1)
    probes = {"grace": _probe(pages["grace"], hub, "grace", 1), "ada": _probe(pages["ada"], hub, "ada", 2)}
    for who, out in probes.items():
        assert out["user"] == names[who], out  # each kernel runs as its learner's own account
        for key in (
            "the classmate's notebook",
            "the classmate's file in /tmp",
            "the classmate's kernel file",
            "list the classmate's home",
            "the solutions",
            "the hidden cases",
        ):
            assert out[key] == "PermissionError", (who, key, out[key])
        assert out["umask"] == "0o77", out
        assert out["modes"] == {"home": "0o700", "copy": "0o700", "tmp file": "0o600", "kernel file": "0o600"}
        assert out["notebook modes"] == ["0o600"], out
        assert out["course_utils"] == str(hub["release"] / "course_utils" / "__init__.py"), out
        assert out["hidden cases"] == 0
        assert out["sys.path in the teacher's folders"] == []
        assert out["course_utils.teaching"] == out["course_utils.grading"] == "ModuleNotFoundError"
        assert out["kernel transport"] == "ipc"
        # TCP: the server (behind the hub's token) and each kernel's IOPub pipe, a receive-only socket
        # that takes only messages carrying a random key; the kernel's own channels are Unix sockets.
        assert out["server port"] in out["my listening ports"], out
        assert out["who listens"] == ["ipykernel_launcher", "jupyterhub-singleuser"], out["who listens"]
        assert out["this kernel listens on"] == [out["its iopub pipe"]], out
        assert out["limits"] == {"data": [GiB, GiB], "nproc": [512, 512]}, out
        assert (out["MEM_LIMIT"], out["CPU_LIMIT"]) == (str(LEARNER_MEMORY), str(TEST_CPU_LIMIT))
        assert out["past the limit"].startswith("MemoryError: Unable to allocate 3.00 GiB"), out
        assert out["still alive"] == 45  # the kernel that hit the limit ran the next cell
    # The kernel running notebook 02 in Ada's first tab, a different process, still answers.
    pages["ada"].goto(f"{base}/user/{ada}/lab/tree/{FOLDER}/{NOTEBOOK}")
    expect(pages["ada"].locator(".jp-Notebook:visible")).to_have_count(1, timeout=WAIT_MS)
    teacher_home = hub["clone"].parent
    assert oct(teacher_home.stat().st_mode & 0o777) == "0o700"

    # The teacher collects: one folder per learner, each with what that learner saved.
    out = hub["work"] / "submissions"
    done = _run(SYSTEM_PYTHON, COLLECT, out)
    assert sorted(p.name for p in out.iterdir()) == sorted([ada, grace]), done.stdout
    assert oct(out.stat().st_mode & 0o777) == "0o700"
    for who in ("ada", "grace"):
        collected = sorted(p.name for p in (out / names[who]).iterdir())
        assert collected == sorted(p.name for p in (homes[who] / FOLDER).glob("*.ipynb")), collected
    assert note in (out / ada / NOTEBOOK).read_text()
    assert note not in (out / grace / NOTEBOOK).read_text()
    from course_utils.teaching.report import student_names

    assert student_names(sorted(out.glob(f"*/{NOTEBOOK}"))) == sorted([ada, grace])

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for who, page in pages.items():
        page.screenshot(path=str(ARTEFACTS / f"{who}.png"))
        page.context.close()
    print(f"two real learners on the hub in {time.monotonic() - started:.0f} s")


# Code for a kernel, sent over its WebSocket from the learner's own logged-in page (the hub's cookie is
# the learner's credential, as in JupyterLab): an execute_request, then its output until the kernel
# is idle again, or until the server says the kernel died and is restarting.
EXECUTE_JS = """
async ([url, code, timeout]) => await new Promise((resolve) => {
  const id = crypto.randomUUID();
  let out = "";
  const ws = new WebSocket(url);
  const done = (why) => { try { ws.close(); } catch (e) {} resolve({ out, why }); };
  setTimeout(() => done("timeout"), timeout);
  ws.onerror = () => done("error");
  ws.onclose = () => done("closed");
  ws.onopen = () => ws.send(JSON.stringify({
    header: { msg_id: id, msg_type: "execute_request", username: "", session: crypto.randomUUID(),
              date: new Date().toISOString(), version: "5.3" },
    parent_header: {}, metadata: {}, channel: "shell", buffers: [],
    content: { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false,
               stop_on_error: true },
  }));
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.msg_type === "status" && ["restarting", "dead"].includes(m.content.execution_state)) {
      done(m.content.execution_state);
    }
    if (!m.parent_header || m.parent_header.msg_id !== id) return;
    if (m.msg_type === "stream") out += m.content.text;
    if (m.msg_type === "error") out += m.content.ename + ": " + m.content.evalue;
    // Outputs come on another channel than the reply: the kernel's going idle comes after them.
    if (m.msg_type === "status" && m.content.execution_state === "idle") done("reply");
  };
});
"""
# Each of the two kernels stays under the per-process limit (RLIMIT_DATA, 1 GiB: a fresh kernel's
# data segment is already about 220 MB); together they pass the learner's 1536 MiB.
HOLD = "import numpy as np\nheld = np.ones(700 * 2**20 // 8)\nprint('held 700 MiB')"
GROW = """import numpy as np
chunks = []
try:
    for _ in range(30):
        chunks.append(np.ones(25 * 2**20 // 8))
except MemoryError:
    pass
print(f"grew to {25 * len(chunks)} MiB")"""
SPIN = """import subprocess, sys
spin = "import time\\nend = time.monotonic() + 300\\nwhile time.monotonic() < end: pass"
spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]
print(" ".join(str(p.pid) for p in spinners))"""


def _start_kernel(page, hub, who):
    name = hub["names"][who]
    response = page.request.post(
        f"{hub['base']}/user/{name}/api/kernels",
        data=json.dumps({"name": "python3"}),
        headers={"X-XSRFToken": _xsrf(page, name), "Content-Type": "application/json"},
    )
    assert response.status == 201, (response.status, response.text())
    return response.json()["id"]


def _execute(page, hub, who, kernel, code):
    name = hub["names"][who]
    url = f"wss://127.0.0.1:{hub['port']}/user/{name}/api/kernels/{kernel}/channels"
    return page.evaluate(EXECUTE_JS, [url, code, WAIT_MS])


def _running(pid):
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _pid_of(name, marker, other_than=None, timeout=60):
    """The running process of account ``name`` whose command line holds ``marker`` (waits for it)."""
    import psutil

    uid = pwd.getpwnam(name).pw_uid
    deadline = time.monotonic() + timeout
    while True:
        for p in psutil.process_iter(["uids", "cmdline"]):
            mine = p.info["uids"] and p.info["uids"].real == uid
            if mine and any(marker in a for a in p.info["cmdline"] or ()) and p.pid != other_than:
                if _running(p.pid):
                    return p.pid
        assert time.monotonic() < deadline, f"no process of {name} with {marker!r} but {other_than}"
        time.sleep(0.25)


def _groups_of(pid):
    """What ``/proc/<pid>/cgroup`` says: each controller's group (``""``: cgroup v2's single one)."""
    groups = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            groups[controller] = path
    return groups


def _limits(group):
    """The limits the hub wrote into a learner's group: bytes, (quota, period) in µs, processes."""
    read = lambda controller, name: (group.paths[controller] / name).read_text().split()  # noqa: E731
    if group.version == "v2":
        quota, period = read("cpu", "cpu.max")
        memory = read("memory", "memory.max")[0]
    else:
        quota, period = read("cpu", "cpu.cfs_quota_us")[0], read("cpu", "cpu.cfs_period_us")[0]
        memory = read("memory", "memory.limit_in_bytes")[0]
    return {"memory": int(memory), "cpu": (int(quota), int(period)), "pids": int(read("pids", "pids.max")[0])}


def test_a_learners_processes_share_one_memory_limit_and_one_cpu_quota(hub, browser_for_hub):
    cgroups = _cgroups()
    found = cgroups.hierarchies()
    names, parent = hub["names"], hub["cgroup_parent"]
    groups = {who: cgroups.LearnerCgroup(names[who], parent, found) for who in ("ada", "grace")}
    keys = ["memory", "cpu", "pids"] if found[0] == "v1" else [""]
    in_group = lambda who: dict.fromkeys(keys, f"/{parent}/{names[who]}")  # noqa: E731
    groups_of = lambda pid: {k: _groups_of(pid).get(k) for k in keys}  # noqa: E731

    pages = {who: _login(browser_for_hub, hub, who) for who in ("ada", "grace")}
    for group in groups.values():
        assert _limits(group) == {"memory": LEARNER_MEMORY, "cpu": (50_000, 100_000), "pids": 512}
    kernels = {
        "ada 1": _start_kernel(pages["ada"], hub, "ada"),
        "ada 2": _start_kernel(pages["ada"], hub, "ada"),
        "grace": _start_kernel(pages["grace"], hub, "grace"),
    }
    owner = lambda key: key.split()[0]  # noqa: E731
    pids = {key: _pid_of(names[owner(key)], f"kernel-{kernel}.json") for key, kernel in kernels.items()}
    servers = {who: _pid_of(names[who], "jupyterhub-singleuser") for who in groups}
    # The server and the kernels it started are in their learner's group, and nobody else's.
    for key, pid in [*servers.items(), *pids.items()]:
        assert groups_of(pid) == in_group(owner(key)), (key, _groups_of(pid))
        assert pid in groups[owner(key)].members()
    assert _execute(pages["grace"], hub, "grace", kernels["grace"], "print(sum(range(10)))") == {
        "out": "45\n",
        "why": "reply",
    }

    # Memory: Ada's two kernels together pass her limit; the kernel kills one of them.
    kills = {who: group.oom_kills() for who, group in groups.items()}
    held = _execute(pages["ada"], hub, "ada", kernels["ada 1"], HOLD)
    assert held == {"out": "held 700 MiB\n", "why": "reply"}, held
    grown = _execute(pages["ada"], hub, "ada", kernels["ada 2"], GROW)
    alive = {key: _running(pids[key]) for key in ("ada 1", "ada 2")}
    print(f"\nAda's kernels after passing her limit: {alive}; the growing one said {grown}")
    assert sorted(alive.values()) == [False, True], (alive, grown)
    killed = next(key for key, running in alive.items() if not running)
    survivor = next(key for key, running in alive.items() if running)
    if killed == "ada 2":  # killed while growing: its client hears that it restarts
        assert grown["why"] == "restarting", grown
    else:  # the one holding 700 MiB was the biggest: the growing one went on
        assert grown == {"out": "grew to 750 MiB\n", "why": "reply"}, grown
    assert groups["ada"].oom_kills() > kills["ada"]
    assert groups["grace"].oom_kills() == kills["grace"]
    # Jupyter restarts the killed kernel (a new process, same kernel, same group); the rest runs on.
    restarted = _pid_of(names["ada"], f"kernel-{kernels[killed]}.json", other_than=pids[killed])
    assert groups_of(restarted) == in_group("ada")
    assert _running(servers["ada"]) and _running(servers["grace"]) and _running(pids["grace"])
    for who, key in (("ada", survivor), ("ada", killed), ("grace", "grace")):
        answer = _execute(pages[who], hub, who, kernels[key], "print(sum(range(10)))")
        assert answer == {"out": "45\n", "why": "reply"}, (key, answer)

    # CPU: two processes spinning in Ada's kernel are throttled to her quota.
    throttled = groups["ada"].throttled()
    spun = _execute(pages["ada"], hub, "ada", kernels[survivor], SPIN)
    assert spun["why"] == "reply", spun
    spinners = [int(pid) for pid in spun["out"].split()]
    assert len(spinners) == 2
    for pid in spinners:
        assert groups_of(pid) == in_group("ada")
    deadline = time.monotonic() + 120  # a bound for a loaded machine, not a measurement
    while groups["ada"].throttled() == throttled:
        assert time.monotonic() < deadline, "Ada's spinning processes were never throttled"
        time.sleep(0.2)
    stopped = _execute(pages["ada"], hub, "ada", kernels[survivor], "for p in spinners: p.kill(); p.wait()")
    assert stopped["why"] == "reply", stopped

    # Grace stops her server from the hub's home page: her group goes, with all that ran in it.
    page = pages["grace"]
    page.goto(f"{hub['base']}/hub/home")
    page.locator("#stop").click()
    deadline = time.monotonic() + WAIT_MS / 1000
    while any(folder.exists() for folder in groups["grace"].folders()):
        assert time.monotonic() < deadline, "Grace's cgroup was not removed when her server stopped"
        time.sleep(0.25)
    assert not _running(servers["grace"]) and not _running(pids["grace"])
    assert all(folder.exists() for folder in groups["ada"].folders())  # Ada's server still runs
    for page in pages.values():
        page.context.close()
