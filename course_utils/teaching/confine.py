"""The operating-system sandbox a hand-in runs in: Debian's ``bubblewrap`` (``bwrap``).

``bwrap`` is the sandbox behind Flatpak (and the one MIT's CAT-SOOP autograder runs Python answers
in); it is a small setuid-free program that builds namespaces and mounts and then starts one
command. :func:`command` asks it for:

* new PID, network, IPC, UTS and mount namespaces (and a user namespace when the grader is not
  root): the hand-in sees only its own processes, has a network of its own with nothing on it
  (not even the teacher's ``127.0.0.1``), and a file system made of read-only views of the
  Python runtime, of ``/usr``, and of a copy of ``course_utils`` taken from the learner release
  (:func:`course_copy`: no solutions, no hidden cases, no grader), plus the MNIST files;
* a scratch folder ``/tmp`` (a size-capped tmpfs) that is also its ``HOME`` and every cache
  folder, and a clean environment holding nothing of the teacher's;
* ``--die-with-parent`` and a PID namespace: when the grader kills the sandbox, or dies, every
  process the hand-in started dies too, daemons and ``setsid`` included;
* an unprivileged user with no capabilities. As root, the grader runs ``bwrap`` without a user
  namespace and ``setpriv`` drops to a user id of the sandbox's own (a user namespace would map
  the hand-in to root outside, which the kernel exempts from the process limit).

The limits on memory, processes, file size and CPU time are set by the worker on itself before
the first cell runs (:func:`course_utils.teaching.worker.apply_limits`); they are hard limits, and
nothing in the sandbox has the capability to raise them.

:func:`check` starts a sandbox once and says, when it cannot, why and what to install or allow.
"""

import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .release import ROOT

SCRATCH = "/tmp"
COURSE = "/course"  # the learner release's course_utils, and data/
GRADER = "/grader"  # the worker and its wire protocol, nothing else of the grader
SCRATCH_BYTES = 256 * 2**20
MEMORY_BYTES = 2 * 2**30  # address space: numpy, IPython and notebook 08's training fit in well under it
PROCESSES = 64  # threads included
FILE_BYTES = 64 * 2**20
UID_BASE = 2_000_000_000  # as root: one unused user id per sandbox (the process limit counts per user)
SLOTS = 256  # sandboxes one grading process may run at once
WORKER_MODULE = "course_grading_worker"

_copy_lock = threading.Lock()
_copy = None
_checked = False
_slots, _slots_lock = set(), threading.Lock()


class Unavailable(RuntimeError):
    """The sandbox cannot start here; the message says why and what to do."""


def course_copy():
    """The read-only tree the sandbox mounts: ``course/course_utils`` and ``grader/<worker package>``.

    Built once per grading process from the learner release (:mod:`~course_utils.teaching.release`)
    and removed when the process ends.
    """
    global _copy
    with _copy_lock:
        if _copy is None:
            from . import release

            top = Path(tempfile.mkdtemp(prefix="grading-course-"))
            release._copy_package(top / "course" / "course_utils")
            (top / "course" / "data").mkdir()  # where the MNIST files are mounted
            worker = top / "grader" / WORKER_MODULE
            worker.mkdir(parents=True)
            (worker / "__init__.py").write_text('"""The grading worker, as the sandbox sees it."""\n')
            for name in ("worker.py", "protocol.py"):
                shutil.copy2(Path(__file__).with_name(name), worker / name)
            # Compiled here once, as the sandbox will see the files: the sandbox cannot write
            # bytecode (read-only and PYTHONDONTWRITEBYTECODE), so without this every hand-in
            # compiled the course's modules again when it imported them.
            for folder, mount in (("course", COURSE), ("grader", GRADER)):
                compileall.compile_dir(top / folder, ddir=mount, quiet=2, workers=1)
            for path in [top, *top.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)
            import atexit

            atexit.register(shutil.rmtree, top, ignore_errors=True)
            _copy = top
        return _copy


def _runtime_folders():
    """The folders Python and the installed packages live in, outside ``/usr``."""
    folders = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    folders.add(Path(sys.executable).resolve().parent.parent)
    for entry in sys.path:
        path = Path(entry).resolve() if entry else None
        if path and path.is_dir() and path.name in ("site-packages", "dist-packages"):
            folders.add(path)
    usr = Path("/usr")
    kept = sorted(f for f in folders if not f.is_relative_to(usr) and f != Path("/"))
    # No folder holding the course itself (an editable install puts the repository on sys.path).
    kept = [f for f in kept if not ROOT.is_relative_to(f) or f == ROOT / ".venv"]
    return [f for f in kept if not any(f != g and f.is_relative_to(g) for g in kept)]


def _system_binds():
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime"):
        if os.path.exists(name):
            args += ["--ro-bind", name, name]
    return args


def environment(timeout):
    """The whole environment of the hand-in: nothing of the teacher's."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": SCRATCH,
        "TMPDIR": SCRATCH,
        "XDG_CACHE_HOME": f"{SCRATCH}/.cache",
        "XDG_CONFIG_HOME": f"{SCRATCH}/.config",
        "MPLCONFIGDIR": f"{SCRATCH}/.matplotlib",
        "IPYTHONDIR": f"{SCRATCH}/.ipython",
        "PYTHONPATH": f"{COURSE}:{GRADER}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "COURSE_CPU_SECONDS": str(int(timeout) + 30),
        "COURSE_MEMORY_BYTES": str(MEMORY_BYTES),
        "COURSE_FILE_BYTES": str(FILE_BYTES),
    }


def take_slot():
    """A user-id slot for one sandbox (as root), free again after :func:`free_slot`."""
    with _slots_lock:
        slot = next(k for k in range(len(_slots) + 1) if k not in _slots)
        if slot >= SLOTS:
            raise RuntimeError(f"more than {SLOTS} sandboxes at once")
        _slots.add(slot)
        return slot


def user_id(slot):
    """The user id of a sandbox (as root): apart from every other sandbox of every grader running."""
    return UID_BASE + (os.getpid() * SLOTS + slot) % (2**32 - 2 - UID_BASE)


def free_slot(slot):
    with _slots_lock:
        _slots.discard(slot)


def command(argv, timeout, slot=0):
    """``(command line, environment)`` running ``argv`` (a Python command) inside the sandbox."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise Unavailable(_advice("bwrap was not found on PATH"))
    top = course_copy()
    args = [bwrap, "--die-with-parent", "--new-session", "--clearenv"]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--hostname", "grading"]
    args += _system_binds()
    # The scratch tmpfs first: a runtime, venv or clone that lives under /tmp is bound on top of
    # it afterwards, instead of being hidden by it.
    args += ["--size", str(SCRATCH_BYTES), "--perms", "1777", "--tmpfs", SCRATCH]
    folders = _runtime_folders()
    parents = sorted({str(a) for f in folders for a in f.parents if a != Path("/")}, key=len)
    for parent in parents:  # traversable by the sandbox's user, whatever the host's modes are
        args += ["--perms", "0755", "--dir", parent]
    for folder in folders:
        args += ["--ro-bind", str(folder), str(folder)]
    args += ["--ro-bind", str(top / "course"), COURSE, "--ro-bind", str(top / "grader"), GRADER]
    if (ROOT / "data").is_dir():
        args += ["--ro-bind", str(ROOT / "data"), f"{COURSE}/data"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--chdir", SCRATCH]
    env = dict(environment(timeout), COURSE_PROCESSES=str(PROCESSES))
    for key, value in env.items():
        args += ["--setenv", key, value]
    if os.geteuid() == 0:
        uid, setpriv = str(user_id(slot)), shutil.which("setpriv")
        if setpriv is None:
            raise Unavailable(_advice("setpriv (from util-linux) was not found, and the grader runs as root"))
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--", setpriv]
        args += [f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]
        args += ["--inh-caps=-all", "--bounding-set=-all", "--"]
    else:
        args[1:1] = ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"]
        args.append("--")
    return args + list(argv), env


def start(argv, env, pass_fds=(), **popen):
    """``subprocess.Popen`` of a :func:`command` line, its options read by bwrap from a pipe.

    The sandbox's first process is a copy of bwrap; reading the options from a pipe (``--args``)
    keeps them out of its ``/proc/1/cmdline`` (only the command after ``--`` shows), so a hand-in
    does not even see where the course copy and the data live on the host.
    """
    split = argv.index("--")
    read, write = os.pipe()
    data = b"".join(a.encode() + b"\0" for a in argv[1:split])
    if len(data) > 60_000:  # a pipe holds 64 KiB before a write blocks
        raise Unavailable(_advice("the sandbox's command line is too long"))
    os.write(write, data)
    os.close(write)
    try:
        return subprocess.Popen(
            [argv[0], "--args", str(read), *argv[split:]], env=env, pass_fds=(*pass_fds, read), **popen
        )
    finally:
        os.close(read)


def _advice(reason):
    return (
        f"cannot grade in the sandbox: {reason}.\n"
        "Each hand-in runs inside bubblewrap (bwrap), so that it reaches nothing but its own folder.\n"
        "* Install it (version 0.8 or later): sudo apt install bubblewrap (Debian, Ubuntu), "
        "sudo dnf install bubblewrap (Fedora), or your system's package of that name.\n"
        "* Ubuntu 24.04 and later let unprivileged programs create user namespaces only under an "
        "AppArmor profile that allows it. Either add one for bwrap, as the file "
        "/etc/apparmor.d/bwrap holding\n"
        "      abi <abi/4.0>,\n      include <tunables/global>\n"
        "      profile bwrap /usr/bin/bwrap flags=(unconfined) {\n        userns,\n      }\n"
        "  then sudo systemctl reload apparmor; or allow them for everyone with "
        "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0.\n"
        "* Elsewhere, user namespaces may be off: sudo sysctl kernel.unprivileged_userns_clone=1 "
        "(older Debian), or user.max_user_namespaces must be above 0.\n"
        "* Inside a container (Docker), the container must allow it (for instance "
        "--security-opt seccomp=unconfined --cap-add SYS_ADMIN), or grade outside it.\n"
        "To grade without the sandbox anyway, pass --no-sandbox: every hand-in then runs as you, "
        "with your files and network, and every row's note says so."
    )


def check():
    """Start one sandbox that imports NumPy; raise :class:`Unavailable` saying why it cannot.

    Once it has started, later calls in the same process return at once.
    """
    global _checked
    if _checked:
        return
    probe = "import numpy, course_grading_worker.worker, course_utils; print('sandbox ok')"
    argv, env = command([sys.executable, "-s", "-c", probe], timeout=60)
    try:
        process = start(argv, env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stdout, stderr = process.communicate(timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(_advice(f"bwrap could not run ({exc})")) from None
    done = subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
    if done.returncode != 0 or "sandbox ok" not in done.stdout:
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise Unavailable(_advice(f"bwrap failed: {' / '.join(said) or f'exit code {done.returncode}'}"))
    _checked = True
