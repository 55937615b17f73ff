"""JupyterHub for one class on one server: "Backprop Through Softmax".

Run it as root (each learner's server then runs as that learner) from a folder of its own, where the
hub keeps its database and cookie secret, with the learners' environment (hub/README.md, steps 1-2)::

    cd /srv/jupyterhub && /opt/backprop-through-softmax/venv/bin/jupyterhub \
        -f /root/backprop-through-softmax/hub/jupyterhub_config.py

What it sets up (hub/README.md has the steps and says what is and is not isolated):

- Learners log in with their account on this server (PAM) and must belong to the group ``course``.
- Each learner's server is a JupyterLab running as that learner, in the learners' environment (the
  one this file is run with), which holds the learner release (``course_utils.teaching.release``):
  no solutions, no grader, no hidden cases. The teacher's clone stays where learners cannot read it.
- Private files: at each start the learner's home is made 0700 and the release's notebooks are
  copied into ``~/backprop-through-softmax`` (0700, files 0600) by a process running as the learner,
  never over a file that is there; the server and everything it starts run with umask 077, and
  kernels talk to the server over Unix sockets in the learner's private runtime folder, not TCP.
- Limits per learner: each learner's server, and every kernel and terminal it starts, run in a
  control group of that learner's (hub/learner_cgroup.py) holding ``mem_limit`` of memory,
  ``cpu_limit`` cores and ``MAX_PROCESSES`` processes for all of them together; it is made before
  the server starts and removed when it stops. No cgroup, no server, unless the teacher turns the
  groups off (``c.CourseSpawner.learner_cgroups = False``), which the hub then logs at each start.
- Limits per process: each process gets ``PROCESS_MEMORY`` as its data-segment limit (RLIMIT_DATA:
  one huge array fails with a MemoryError in its cell rather than the kernel being killed) and the
  learner at most ``MAX_PROCESSES`` processes and threads (RLIMIT_NPROC); NumPy's thread pools are
  held to one thread.
- HTTPS: with the teacher's certificate and key (``COURSE_HUB_TLS_CERT`` / ``COURSE_HUB_TLS_KEY``,
  default ``/etc/jupyterhub/tls/{cert,key}.pem``) the hub serves HTTPS on port 443; without them it
  listens on 127.0.0.1:8000 only, for a reverse proxy on this machine that holds the certificate.
  It never serves the login page over plain HTTP to the network.
- Servers idle for an hour are stopped (the ``idle-culler`` service).

tests/test_hub.py runs this file as it is, with real accounts, and changes only ports, the hub's own
folder and a JupyterLab display setting the test needs.
"""

import asyncio
import inspect
import os
import resource
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Bool, Unicode

sys.path.insert(0, str(Path(__file__).resolve().parent))  # hub/learner_cgroup.py, beside this file
from learner_cgroup import CgroupUnavailable, LearnerCgroup  # noqa: E402

# Where the learner release is (course_utils.teaching.release writes it; hub/README.md, step 1).
RELEASE = Path(os.environ.get("COURSE_RELEASE", "/opt/backprop-through-softmax/release"))
LEARNER_NOTEBOOKS = RELEASE / "notebooks" / "learner"
FOLDER = "backprop-through-softmax"  # the learner's copy, in their home
BIN = Path(sys.executable).parent  # the learners' environment: the hub runs in it, and so do servers
TLS_CERT = Path(os.environ.get("COURSE_HUB_TLS_CERT", "/etc/jupyterhub/tls/cert.pem"))
TLS_KEY = Path(os.environ.get("COURSE_HUB_TLS_KEY", "/etc/jupyterhub/tls/key.pem"))
MEMORY_LIMIT = "1536M"  # per learner, all processes together: a server and two notebook-08 kernels fit
CPU_LIMIT = 1.0  # per learner, all processes together: one core's worth of time
PROCESS_MEMORY = 1024**3  # per process (RLIMIT_DATA); a notebook-08 kernel peaks at about 360 MB
MAX_PROCESSES = 512  # per learner, threads included: a server and a few kernels use about 100
UMASK = 0o077  # what a learner's server saves is readable by that learner only

c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)

# --- Who may log in ---------------------------------------------------------------------------------
# Accounts of this server (PAM). Create one per learner and add it to the group `course`
# (hub/README.md, step 3); teachers in `course-admin` may start and stop learners' servers.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {"course"}
c.PAMAuthenticator.admin_groups = {"course-admin"}


# --- Each learner's server --------------------------------------------------------------------------
class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose servers start in the learner's cgroup, with umask 077 and rlimits.

    Before each start, as root, a cgroup of the learner's own gets ``mem_limit``, ``cpu_limit`` and
    ``MAX_PROCESSES`` (hub/learner_cgroup.py); the server's first act, still as root, is to join it,
    so the server and everything it starts count against the same limits. If no cgroup can be
    made, the start fails and says what to enable (unless ``learner_cgroups`` is False). The group
    is removed, killing whatever the learner left running in it, when the server stops or dies.

    The rlimits are set before the switch to the learner's account, as hard limits the learner's
    processes inherit and cannot raise: ``PROCESS_MEMORY`` per process (RLIMIT_DATA: heap and
    private memory, what NumPy's arrays take), so that one huge array gets a MemoryError in its
    cell before the learner's cgroup is full, and ``MAX_PROCESSES`` per account (RLIMIT_NPROC).
    """

    learner_cgroups = Bool(
        True,
        config=True,
        help="Give each learner a cgroup with mem_limit, cpu_limit and MAX_PROCESSES. When False,"
        " nothing limits a learner's processes together (only each process's rlimits).",
    )
    cgroup_parent = Unicode(
        "jupyterhub-course",
        config=True,
        help="The cgroup under which each learner's group is made, in each hierarchy.",
    )

    def learner_cgroup(self):
        return LearnerCgroup(self.user.name, self.cgroup_parent)

    async def start(self):
        self.cgroup = None
        if not self.learner_cgroups:
            self.log.warning(
                "LIMITS OFF: %s's server starts WITHOUT a cgroup (c.CourseSpawner.learner_cgroups"
                " = False): no memory limit, CPU share or process count for their processes"
                " together; only each process's RLIMIT_DATA and the account's RLIMIT_NPROC.",
                self.user.name,
            )
        else:
            try:
                cgroup = self.learner_cgroup()
                await asyncio.to_thread(
                    cgroup.create, memory=self.mem_limit, cpu=self.cpu_limit, pids=MAX_PROCESSES
                )
            except CgroupUnavailable as error:
                raise RuntimeError(
                    f"{self.user.name}'s server was not started: it must run in a cgroup with a"
                    f" memory limit and a CPU share, and {error}. Or turn the limits off in"
                    " jupyterhub_config.py with c.CourseSpawner.learner_cgroups = False"
                    " (hub/README.md says what that leaves open)."
                ) from error
            self.cgroup = cgroup
            self.log.info(
                "%s's server in cgroup %s (%s): memory %s bytes, %s CPU, %s processes",
                self.user.name,
                ", ".join(map(str, cgroup.folders())),
                cgroup.version,
                self.mem_limit,
                self.cpu_limit,
                MAX_PROCESSES,
            )
        try:
            return await super().start()
        except BaseException:
            await self.remove_cgroup()
            raise

    async def remove_cgroup(self):
        """Kill what the learner left running in their cgroup and remove it (after stop or death)."""
        if not self.learner_cgroups:
            return
        try:
            cgroup = self.learner_cgroup()
            await asyncio.to_thread(cgroup.remove)
        except CgroupUnavailable as error:
            self.log.warning("%s's cgroup was not removed: %s", self.user.name, error)

    async def run_post_stop_hook(self):
        # The hub calls this after every stop, including a server that died by itself.
        await self.remove_cgroup()
        result = super().run_post_stop_hook()
        if inspect.isawaitable(result):
            await result

    def make_preexec_fn(self, name):
        become_learner = super().make_preexec_fn(name)
        cgroup = getattr(self, "cgroup", None)

        def preexec():
            if cgroup is not None:
                cgroup.join(os.getpid())  # as root, before anything else runs in this process
            resource.setrlimit(resource.RLIMIT_DATA, (PROCESS_MEMORY, PROCESS_MEMORY))
            resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
            os.umask(UMASK)
            become_learner()

        return preexec


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.mem_limit = MEMORY_LIMIT
c.Spawner.cpu_limit = CPU_LIMIT
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.args = [
    # Kernels talk to the server over Unix sockets in ~/.local/share/jupyter/runtime (0700), not over
    # TCP ports on 127.0.0.1, where any account could listen to a kernel's outputs.
    "--KernelManager.transport=ipc",
]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = f"/lab/tree/{FOLDER}/00_start_here.ipynb"
# One thread per BLAS / OpenMP pool: notebook 08 trains an MNIST network, and on a shared server
# a pool per core in every kernel makes all of them slower (the teacher guide has the measurements).
c.Spawner.environment = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60


def make_private_copy(notebooks, folder):
    """Run as the learner: home 0700, and the notebooks they do not have yet copied into ``folder``.

    Never overwrites a file that is there (it holds the learner's work); new notebooks the teacher
    adds to the release appear at the next start. Runs in a process of the learner's own, so a link
    the learner planted in their home can only lead where the learner could go anyway.
    """
    import os
    import shutil
    from pathlib import Path

    home = Path.home()
    os.chmod(home, os.stat(home).st_mode & 0o7700)
    source, target = Path(notebooks), home / folder
    target.mkdir(mode=0o700, exist_ok=True)
    os.chmod(target, 0o700)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts):
            continue  # checkpoints and other hidden files stay out of the learner's copy
        destination = target / relative
        if path.is_dir():
            destination.mkdir(mode=0o700, exist_ok=True)
        elif not os.path.lexists(destination):
            shutil.copyfile(path, destination)
            os.chmod(destination, 0o600)


async def copy_learner_notebooks(spawner):
    """Before each start: :func:`make_private_copy`, in a process running as the learner."""
    name = spawner.user.name
    code = inspect.getsource(make_private_copy) + (
        f"\nmake_private_copy({str(LEARNER_NOTEBOOKS)!r}, {FOLDER!r})\n"
    )
    env = spawner.user_env({"PATH": "/usr/bin:/bin"})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-I",
        "-c",
        code,
        preexec_fn=set_user_setuid(name),
        umask=UMASK,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"copying the learner notebooks for {name} failed: {output.decode()[-2000:]}")
    spawner.log.info("learner notebooks in ~%s/%s, private to them", name, FOLDER)


c.Spawner.pre_spawn_hook = copy_learner_notebooks

# --- Stop servers nobody uses -------------------------------------------------------------------------
# jupyterhub-idle-culler (hub/requirements.txt) stops a server after an hour without activity; the
# learner's files stay, and logging in again starts a new server on them.
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]

# --- Where it listens -------------------------------------------------------------------------------
# Learners type their account's password into the login page: it never goes over plain HTTP.
if TLS_CERT.is_file() and TLS_KEY.is_file():
    c.JupyterHub.bind_url = "https://:443"
    c.JupyterHub.ssl_cert = str(TLS_CERT)
    c.JupyterHub.ssl_key = str(TLS_KEY)
else:
    # No certificate: only this machine reaches the hub; a reverse proxy holding the certificate
    # (Caddy or nginx, hub/README.md step 5) forwards https://your-server/ to it.
    c.JupyterHub.bind_url = "http://127.0.0.1:8000"

# --- Logging in with the institution's accounts --------------------------------------------------------
# An OAuthenticator (OpenID Connect, GitHub, Google, GitLab) or an LMS through LTI 1.3 replaces the
# three PAM lines above: hub/README.md has the lines, which were not tried.
