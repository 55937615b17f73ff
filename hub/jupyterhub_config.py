"""JupyterHub for one class on one server: "Backprop Through Softmax".

Run it from a folder of its own (the hub keeps its database and cookie secret there) with the
course's environment, as root so that each learner's server runs as that learner::

    cd /srv/jupyterhub && /opt/course/.venv/bin/jupyterhub -f /opt/course/hub/jupyterhub_config.py

What it sets up (hub/README.md has the steps):

- Learners log in with their account on this server (PAM) and must belong to the group ``course``.
- Each learner's server is a JupyterLab in the course's environment (the one this file is run with),
  running as that learner, with NumPy's thread pools held to one thread so that one learner's
  training does not starve the others.
- On every start, the learner notebooks of this clone are copied into ``~/backprop-through-softmax``
  of the learner, file by file, skipping every file that is already there: a learner's own work is
  never overwritten, and notebooks the teacher adds later appear at the next start.
- Servers idle for an hour are stopped (the ``idle-culler`` service).

tests/test_hub.py loads this file and changes only what a test must: the dummy authenticator, a
spawner that needs no system users, local ports and a temporary folder.
"""

import os
import pwd
import shutil
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parent.parent
LEARNER_NOTEBOOKS = COURSE / "notebooks" / "learner"
FOLDER = "backprop-through-softmax"  # the learner's copy, in their home
BIN = Path(sys.executable).parent  # the course's environment: the hub runs in it, and so do servers

c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)

# --- Who may log in ---------------------------------------------------------------------------------
# Accounts of this server (PAM). Create one per learner and add it to the group `course`
# (hub/README.md, step 3); teachers in `course-admin` may start and stop learners' servers.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {"course"}
c.PAMAuthenticator.admin_groups = {"course-admin"}

# --- Each learner's server --------------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = f"/lab/tree/{FOLDER}/00_start_here.ipynb"
# One thread per BLAS / OpenMP pool: notebook 08 trains an MNIST network, and on a shared server
# a pool per core in every kernel makes all of them slower (hub/README.md has the measurements).
c.Spawner.environment = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60


def learner_home(spawner):
    """The learner's home folder and the (uid, gid) that should own their copy, or None for 'as is'.

    A spawner with a ``home_dir`` of its own (the test's SimpleLocalProcessSpawner) runs every
    server as the hub's user; the real recipe's LocalProcessSpawner runs it as the learner's account.
    """
    home = getattr(spawner, "home_dir", None)
    if home:
        return Path(home), None
    account = pwd.getpwnam(spawner.user.name)
    return Path(account.pw_dir), (account.pw_uid, account.pw_gid)


def copy_learner_notebooks(spawner):
    """Before each start: copy the learner notebooks the learner does not have yet into their home."""
    home, owner = learner_home(spawner)
    target = home / FOLDER
    for source in sorted(LEARNER_NOTEBOOKS.rglob("*")):
        relative = source.relative_to(LEARNER_NOTEBOOKS)
        if any(part.startswith(".") for part in relative.parts):
            continue  # checkpoints and other hidden files stay out of the learner's copy
        destination = target / relative
        if source.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
        else:
            continue
        if owner and os.geteuid() == 0:
            os.chown(destination, *owner)
    if owner and os.geteuid() == 0:
        os.chown(target, *owner)
    spawner.log.info("learner notebooks in %s for %s", target, spawner.user.name)


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
# Port 8000 on every interface. Put it behind HTTPS before learners type passwords into it: either a
# reverse proxy (nginx, Caddy) or c.JupyterHub.ssl_cert / c.JupyterHub.ssl_key here.
c.JupyterHub.bind_url = "http://:8000"
