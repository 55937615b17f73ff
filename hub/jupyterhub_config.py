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
- Limits: every process of a learner's server (the server, each kernel, each terminal) gets
  ``mem_limit`` as its data-segment limit (RLIMIT_DATA) and the learner at most ``MAX_PROCESSES``
  processes and threads (RLIMIT_NPROC); NumPy's thread pools are held to one thread.
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

# Where the learner release is (course_utils.teaching.release writes it; hub/README.md, step 1).
RELEASE = Path(os.environ.get("COURSE_RELEASE", "/opt/backprop-through-softmax/release"))
LEARNER_NOTEBOOKS = RELEASE / "notebooks" / "learner"
FOLDER = "backprop-through-softmax"  # the learner's copy, in their home
BIN = Path(sys.executable).parent  # the learners' environment: the hub runs in it, and so do servers
TLS_CERT = Path(os.environ.get("COURSE_HUB_TLS_CERT", "/etc/jupyterhub/tls/cert.pem"))
TLS_KEY = Path(os.environ.get("COURSE_HUB_TLS_KEY", "/etc/jupyterhub/tls/key.pem"))
MEMORY_LIMIT = "1G"  # per process; a notebook-08 kernel peaks at about 360 MB and runs under 1G
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
    """LocalProcessSpawner whose servers start with umask 077 and the limits above, as the learner.

    The limits are set before the switch to the learner's account, as hard limits: the learner's
    processes inherit them and cannot raise them. ``mem_limit`` is enforced per process
    (RLIMIT_DATA: heap and private memory, what NumPy's arrays take); a kernel that asks for more
    gets a MemoryError, and the learner's other kernels, the server and other learners go on.
    """

    def make_preexec_fn(self, name):
        become_learner = super().make_preexec_fn(name)
        memory = int(self.mem_limit or 0)

        def preexec():
            if memory:
                resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
            resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
            os.umask(UMASK)
            become_learner()

        return preexec


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.mem_limit = MEMORY_LIMIT
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
