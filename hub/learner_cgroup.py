"""A control group (cgroup) per learner: one memory limit, CPU quota and process count for all they run.

``jupyterhub_config.py`` makes one for each learner before their server starts and moves the server
into it (as root, before the switch to the learner's account); every kernel and terminal the server
starts is born in it, and the learner cannot leave it (the cgroup files belong to root). The kernel
enforces the limits on the group as a whole:

- memory (cgroup v2 ``memory.max`` with ``memory.swap.max`` = 0; v1 ``memory.limit_in_bytes`` and
  ``memory.memsw.limit_in_bytes``): when the learner's processes together need more, the kernel's
  OOM killer kills one of *them*, the one using the most memory, and nothing outside the group;
- CPU (v2 ``cpu.max``; v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``): at most ``cpu`` cores'
  worth of time per 100 ms period for the group together, throttled past it;
- processes and threads (v2 and v1 ``pids.max``).

cgroup v2 is used when a v2 hierarchy offers the three controllers, else the v1 hierarchies of
``memory``, ``cpu`` and ``pids``. The groups live under ``<hierarchy>/<parent>/<learner>``.
"""

import os
import signal
import time
from pathlib import Path

CONTROLLERS = ("memory", "cpu", "pids")
PERIOD_US = 100_000  # the CPU quota's period: 100 ms, the kernel's default


class CgroupUnavailable(RuntimeError):
    """No cgroup with the memory, cpu and pids controllers can be made on this machine."""


def hierarchies(mounts_text=None):
    """Where to make the groups: ``("v2", {c: path})`` or ``("v1", {c: path})`` for memory, cpu, pids.

    ``mounts_text`` is ``/proc/self/mounts`` (read when None). Raises :class:`CgroupUnavailable`,
    saying what is missing, when neither a v2 hierarchy with the three controllers nor the three v1
    hierarchies are mounted.
    """
    if mounts_text is None:
        mounts_text = Path("/proc/self/mounts").read_text()
    v1, v2_seen = {}, []
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        point, kind, options = fields[1].replace("\\040", " "), fields[2], fields[3].split(",")
        if kind == "cgroup2":
            try:
                offered = set((Path(point) / "cgroup.controllers").read_text().split())
            except OSError:
                offered = set()
            v2_seen.append(f"{point} ({' '.join(sorted(offered)) or 'no controllers'})")
            if offered.issuperset(CONTROLLERS):
                return "v2", dict.fromkeys(CONTROLLERS, Path(point))
        elif kind == "cgroup":
            for controller in CONTROLLERS:
                if controller in options:
                    v1.setdefault(controller, Path(point))
    if set(v1) == set(CONTROLLERS):
        return "v1", v1
    raise CgroupUnavailable(
        "no cgroup hierarchy with the memory, cpu and pids controllers is mounted"
        f" (cgroup2: {', '.join(v2_seen) or 'none'}; cgroup v1: {', '.join(sorted(v1)) or 'none'},"
        f" without {', '.join(c for c in CONTROLLERS if c not in v1)})."
        " Mount cgroup2 with those controllers (the default of every current distribution booted"
        " with systemd, or `mount -t cgroup2 none /sys/fs/cgroup`), or the v1 hierarchies"
        " (`mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory`, the same for cpu and pids)"
    )


class LearnerCgroup:
    """The group of one learner: ``<hierarchy>/<parent>/<name>`` in each hierarchy of :func:`hierarchies`."""

    def __init__(self, name, parent, found=None):
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"expected a learner's account name, got {name!r}")
        if not parent or parent.startswith(("/", ".")) or ".." in Path(parent).parts:
            raise ValueError(f"expected a relative folder name for the parent cgroup, got {parent!r}")
        self.version, self.roots = found or hierarchies()
        self.parent = parent
        self.paths = {c: root / parent / name for c, root in self.roots.items()}

    def folders(self):
        """The group's folders, one per hierarchy (one in all for v2)."""
        return sorted(set(self.paths.values()))

    def create(self, memory=None, cpu=None, pids=None):
        """Make the group with these limits (bytes, cores, processes; None: no limit of that kind).

        A group of the same name left over (a hub that crashed) is emptied and removed first. Any
        failure removes what was made and raises :class:`CgroupUnavailable` saying why.
        """
        self.remove()
        try:
            if self.version == "v2":
                self._create_v2(memory, cpu, pids)
            else:
                self._create_v1(memory, cpu, pids)
        except OSError as error:
            self.remove()
            raise CgroupUnavailable(
                f"could not make the learner's cgroup {self.folders()[0]}: {error}"
            ) from error
        return self

    def _create_v2(self, memory, cpu, pids):
        root = self.roots["memory"]
        enable = " ".join(f"+{c}" for c in CONTROLLERS)
        # Controllers are handed down one level at a time: the root to the parent, the parent to
        # the learner. (The root may hold processes; cgroup v2 forbids it only below the root.)
        for folder in (root, root / self.parent):
            folder.mkdir(exist_ok=True)
            if not set(CONTROLLERS) <= set((folder / "cgroup.subtree_control").read_text().split()):
                (folder / "cgroup.subtree_control").write_text(enable)
        group = self.paths["memory"]
        group.mkdir()
        if memory:
            (group / "memory.max").write_text(str(int(memory)))
            if (group / "memory.swap.max").exists():
                (group / "memory.swap.max").write_text("0")
        if cpu:
            (group / "cpu.max").write_text(f"{round(cpu * PERIOD_US)} {PERIOD_US}")
        if pids:
            (group / "pids.max").write_text(str(int(pids)))

    def _create_v1(self, memory, cpu, pids):
        for folder in self.folders():
            folder.parent.mkdir(exist_ok=True)
            folder.mkdir()
        if memory:
            group = self.paths["memory"]
            (group / "memory.limit_in_bytes").write_text(str(int(memory)))
            swap = group / "memory.memsw.limit_in_bytes"  # memory + swap: only with swap accounting
            if swap.exists():
                swap.write_text(str(int(memory)))
        if cpu:
            (self.paths["cpu"] / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (self.paths["cpu"] / "cpu.cfs_quota_us").write_text(str(round(cpu * PERIOD_US)))
        if pids:
            (self.paths["pids"] / "pids.max").write_text(str(int(pids)))

    def join(self, pid):
        """Move process ``pid`` into the group. Safe in a ``preexec_fn``: plain writes, nothing else."""
        for folder in self.folders():
            fd = os.open(folder / "cgroup.procs", os.O_WRONLY)
            try:
                os.write(fd, str(pid).encode())
            finally:
                os.close(fd)

    def members(self):
        """The processes in the group (an empty set when it does not exist)."""
        found = set()
        for folder in self.folders():
            try:
                found.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return found

    def oom_kills(self):
        """How many of the group's processes the OOM killer has killed (0 if the kernel does not say)."""
        group = self.paths["memory"]
        for name in ("memory.events", "memory.oom_control"):
            try:
                for line in (group / name).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
            except OSError:
                pass
        return 0

    def throttled(self):
        """How many CPU periods the group was throttled in (``nr_throttled`` of its ``cpu.stat``)."""
        for line in (self.paths["cpu"] / "cpu.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "nr_throttled":
                return int(value)
        raise CgroupUnavailable(f"no nr_throttled in {self.paths['cpu'] / 'cpu.stat'}")

    def remove(self, timeout=10):
        """Kill whatever still runs in the group, then remove its folders (nothing to do if missing)."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.members()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if time.monotonic() > deadline:
                raise CgroupUnavailable(f"processes {sorted(left)} in {self.folders()} would not die")
            time.sleep(0.05)
        for folder in self.folders():
            while True:  # a folder emptied a moment ago may still be busy for a few milliseconds
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
