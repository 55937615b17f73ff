"""The hub recipe's parts, without accounts or a hub: where it listens, its spawner, its copy, collecting.

tests/test_hub.py runs the whole recipe with real accounts (as root, in CI); these run anywhere.
"""

import importlib.util
import os
import stat
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "hub" / "jupyterhub_config.py"


def _load_config(monkeypatch, **env):
    from traitlets.config.loader import PyFileConfigLoader

    for key in ("COURSE_HUB_TLS_CERT", "COURSE_HUB_TLS_KEY", "COURSE_RELEASE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    return PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()


def _collect_module():
    spec = importlib.util.spec_from_file_location("hub_collect", ROOT / "hub" / "collect.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_a_certificate_the_hub_listens_on_127_0_0_1_only(monkeypatch, tmp_path):
    c = _load_config(
        monkeypatch, COURSE_HUB_TLS_CERT=tmp_path / "none.pem", COURSE_HUB_TLS_KEY=tmp_path / "no.pem"
    )
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert "ssl_cert" not in c.JupyterHub


def test_with_the_teachers_certificate_the_hub_serves_https(monkeypatch, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("certificate")
    key.write_text("key")
    c = _load_config(monkeypatch, COURSE_HUB_TLS_CERT=cert, COURSE_HUB_TLS_KEY=key)
    assert c.JupyterHub.bind_url.startswith("https://")
    assert (c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key) == (str(cert), str(key))


def test_the_spawner_runs_servers_privately_with_limits_and_the_release(monkeypatch, tmp_path):
    c = _load_config(monkeypatch, COURSE_RELEASE=tmp_path / "release")
    spawner = c.JupyterHub.spawner_class
    from jupyterhub.spawner import LocalProcessSpawner

    assert issubclass(spawner, LocalProcessSpawner)
    assert c.Spawner.mem_limit == "1536M"  # per learner, in their cgroup
    assert c.Spawner.cpu_limit == 1.0
    assert spawner.class_traits()["learner_cgroups"].default_value is True  # limits on unless turned off
    assert "--KernelManager.transport=ipc" in c.Spawner.args
    assert c.PAMAuthenticator.allowed_groups == {"course"}
    # the copy hook reads the release, not the clone this file is in
    assert (
        c.Spawner.pre_spawn_hook.__globals__["LEARNER_NOTEBOOKS"]
        == tmp_path / "release" / "notebooks" / "learner"
    )


def test_the_spawners_preexec_sets_umask_and_limits_before_becoming_the_learner(monkeypatch, tmp_path):
    c = _load_config(monkeypatch)
    calls = []
    spawner_class = c.JupyterHub.spawner_class
    monkeypatch.setattr(
        spawner_class.__mro__[1], "make_preexec_fn", lambda self, name: lambda: calls.append(("become", name))
    )
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(("umask", oct(mask))))
    import resource

    monkeypatch.setattr(resource, "setrlimit", lambda which, value: calls.append((which, value)))
    spawner = spawner_class.__new__(spawner_class)  # no hub, no user: only the preexec is wanted
    spawner.cgroup = types.SimpleNamespace(join=lambda pid: calls.append(("join cgroup", pid)))
    spawner.make_preexec_fn("ada")()
    assert calls == [
        ("join cgroup", os.getpid()),  # first, as root: everything the server starts is in it
        (resource.RLIMIT_DATA, (2**30, 2**30)),
        (resource.RLIMIT_NPROC, (512, 512)),
        ("umask", "0o77"),
        ("become", "ada"),
    ]


def test_the_private_copy_is_0700_and_0600_and_never_overwrites(monkeypatch, tmp_path):
    c = _load_config(monkeypatch)
    make_private_copy = c.Spawner.pre_spawn_hook.__globals__["make_private_copy"]
    release = tmp_path / "release"
    (release / ".ipynb_checkpoints").mkdir(parents=True)
    (release / "01_a.ipynb").write_text("course 01")
    (release / "02_b.ipynb").write_text("course 02")
    (release / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb").write_text("hidden")
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    (home / "course").mkdir()
    (home / "course" / "01_a.ipynb").write_text("the learner's work")
    (home / "course" / "02_b.ipynb").symlink_to(tmp_path / "elsewhere")  # planted, dangling
    monkeypatch.setenv("HOME", str(home))
    make_private_copy(str(release), "course")
    mode = lambda p: stat.S_IMODE(os.lstat(p).st_mode)  # noqa: E731
    assert mode(home) == 0o700 and mode(home / "course") == 0o700
    assert (home / "course" / "01_a.ipynb").read_text() == "the learner's work"
    assert (home / "course" / "02_b.ipynb").is_symlink() and not (tmp_path / "elsewhere").exists()
    assert not (home / "course" / ".ipynb_checkpoints").exists()
    (home / "course" / "02_b.ipynb").unlink()
    make_private_copy(str(release), "course")
    assert (home / "course" / "02_b.ipynb").read_text() == "course 02"
    assert mode(home / "course" / "02_b.ipynb") == 0o600


def test_collect_takes_each_learners_own_notebooks_and_no_links(tmp_path):
    collect = _collect_module()
    uid = os.getuid()
    homes = {}
    for name in ("ada", "grace"):
        folder = tmp_path / "homes" / name / collect.FOLDER
        folder.mkdir(parents=True)
        (folder / "02_softmax_jacobian.ipynb").write_text(f"{name}'s 02")
        (folder / "03_kronecker_delta.ipynb").write_text(f"{name}'s 03")
        homes[name] = types.SimpleNamespace(pw_name=name, pw_dir=str(tmp_path / "homes" / name), pw_uid=uid)
    grace = tmp_path / "homes" / "grace" / collect.FOLDER
    (grace / "04_chain_rule_reduction.ipynb").symlink_to(
        tmp_path / "homes" / "ada" / collect.FOLDER / "02_softmax_jacobian.ipynb"
    )
    stranger = types.SimpleNamespace(
        pw_name="stranger", pw_dir=str(tmp_path / "homes" / "ada"), pw_uid=uid + 1
    )
    out = tmp_path / "submissions"
    gathered = collect.collect(out, [homes["ada"], homes["grace"], stranger])
    assert gathered["ada"] == ["02_softmax_jacobian.ipynb", "03_kronecker_delta.ipynb"]
    assert gathered["grace"] == ["02_softmax_jacobian.ipynb", "03_kronecker_delta.ipynb"]  # no link
    assert gathered["stranger"] == []  # files that are not theirs
    assert (out / "grace" / "02_softmax_jacobian.ipynb").read_text() == "grace's 02"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    only = collect.collect(tmp_path / "one", [homes["ada"]], ["03_kronecker_delta"])
    assert only == {"ada": ["03_kronecker_delta.ipynb"]}


def test_collect_refuses_to_run_as_anyone_but_root(tmp_path, capsys, monkeypatch):
    collect = _collect_module()
    monkeypatch.setattr(collect.os, "geteuid", lambda: 1000)
    assert collect.main([str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
    assert "root" in capsys.readouterr().err


# --- The learner's cgroup (hub/learner_cgroup.py) ------------------------------------------------------


def _cgroup_module():
    spec = importlib.util.spec_from_file_location("hub_learner_cgroup", ROOT / "hub" / "learner_cgroup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


V1_MOUNTS = """\
tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
cgroup2 {unified} cgroup2 rw,relatime 0 0
"""


def test_cgroup_v2_is_chosen_when_it_has_the_three_controllers_else_v1(tmp_path):
    cg = _cgroup_module()
    unified = tmp_path / "unified"
    unified.mkdir()
    (unified / "cgroup.controllers").write_text("hugetlb\n")  # this machine's: v2 without them
    mounts = V1_MOUNTS.format(unified=unified)
    version, roots = cg.hierarchies(mounts)
    assert version == "v1"
    assert roots == {
        "cpu": Path("/sys/fs/cgroup/cpu,cpuacct"),
        "memory": Path("/sys/fs/cgroup/memory"),
        "pids": Path("/sys/fs/cgroup/pids"),
    }
    (unified / "cgroup.controllers").write_text("cpuset cpu io memory hugetlb pids rdma misc\n")
    assert cg.hierarchies(mounts) == ("v2", dict.fromkeys(("memory", "cpu", "pids"), unified))


def test_without_the_controllers_the_error_says_what_to_mount(tmp_path):
    cg = _cgroup_module()
    unified = tmp_path / "unified"
    unified.mkdir()
    (unified / "cgroup.controllers").write_text("hugetlb\n")
    without_pids = "\n".join(
        line for line in V1_MOUNTS.format(unified=unified).splitlines() if "pids" not in line
    )
    with pytest.raises(cg.CgroupUnavailable) as error:
        cg.hierarchies(without_pids)
    message = str(error.value)
    assert f"{unified} (hugetlb)" in message and "cgroup v1: cpu, memory, without pids)" in message
    assert "mount -t cgroup2" in message and "-o memory" in message


def _fake_hierarchy(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def test_a_v2_group_gets_memory_swap_cpu_and_pids_limits(tmp_path, monkeypatch):
    cg = _cgroup_module()
    root = tmp_path / "v2"
    _fake_hierarchy(root, {"cgroup.subtree_control": "", "cgroup.procs": ""})
    found = ("v2", dict.fromkeys(cg.CONTROLLERS, root))
    real_mkdir = Path.mkdir

    def mkdir_like_cgroupfs(self, *args, **kwargs):  # the kernel fills a new group with its files
        real_mkdir(self, *args, **kwargs)
        for name in ("cgroup.subtree_control", "cgroup.procs", "memory.swap.max"):
            if not (self / name).exists():
                (self / name).write_text("")

    monkeypatch.setattr(Path, "mkdir", mkdir_like_cgroupfs)
    group = cg.LearnerCgroup("ada", "course", found).create(memory=1536 * 2**20, cpu=1.5, pids=512)
    assert group.folders() == [root / "course" / "ada"]
    assert (root / "cgroup.subtree_control").read_text() == "+memory +cpu +pids"
    assert (root / "course" / "cgroup.subtree_control").read_text() == "+memory +cpu +pids"
    written = {p.name: p.read_text() for p in (root / "course" / "ada").iterdir()}
    assert written["memory.max"] == str(1536 * 2**20)
    assert written["memory.swap.max"] == "0"
    assert written["cpu.max"] == "150000 100000"
    assert written["pids.max"] == "512"
    group.join(4242)
    assert (root / "course" / "ada" / "cgroup.procs").read_text() == "4242"


def test_a_v1_group_gets_the_same_limits_in_each_hierarchy(tmp_path):
    cg = _cgroup_module()
    roots = {c: tmp_path / c for c in cg.CONTROLLERS}
    for folder in roots.values():
        folder.mkdir()
    group = cg.LearnerCgroup("ada", "course", ("v1", roots))
    group.create(memory=10**9, cpu=0.5, pids=100)
    assert (roots["memory"] / "course" / "ada" / "memory.limit_in_bytes").read_text() == str(10**9)
    assert (roots["cpu"] / "course" / "ada" / "cpu.cfs_quota_us").read_text() == "50000"
    assert (roots["cpu"] / "course" / "ada" / "cpu.cfs_period_us").read_text() == "100000"
    assert (roots["pids"] / "course" / "ada" / "pids.max").read_text() == "100"
    with pytest.raises(ValueError, match="account name"):
        cg.LearnerCgroup("../ada", "course", ("v1", roots))


def _spawner(c, monkeypatch, cgroup):
    spawner_class = c.JupyterHub.spawner_class
    started = []

    async def start(self):
        started.append(getattr(self, "cgroup", None))
        return ("127.0.0.1", 1)

    monkeypatch.setattr(spawner_class.__mro__[1], "start", start)
    spawner = spawner_class(user=types.SimpleNamespace(name="ada"), mem_limit="1G", cpu_limit=1.0)
    monkeypatch.setattr(spawner, "learner_cgroup", lambda: cgroup)
    return spawner, started


def test_a_spawn_fails_closed_when_no_cgroup_can_be_made(monkeypatch):
    import asyncio

    c = _load_config(monkeypatch)
    cg = c.JupyterHub.spawner_class.start.__globals__["CgroupUnavailable"]

    class Unavailable:
        def create(self, **limits):
            raise cg("no cgroup hierarchy with the memory, cpu and pids controllers is mounted")

    spawner, started = _spawner(c, monkeypatch, Unavailable())
    with pytest.raises(RuntimeError) as error:
        asyncio.run(spawner.start())
    assert started == []  # no server without its limits
    message = str(error.value)
    assert "ada's server was not started" in message
    assert "memory, cpu and pids controllers is mounted" in message
    assert "c.CourseSpawner.learner_cgroups = False" in message


def test_a_spawn_puts_the_server_in_its_cgroup_with_the_spawners_limits(monkeypatch):
    import asyncio

    c = _load_config(monkeypatch)
    made = {}

    class Group:
        version = "v1"

        def create(self, **limits):
            made.update(limits)
            return self

        def folders(self):
            return ["/sys/fs/cgroup/memory/jupyterhub-course/ada"]

    group = Group()
    spawner, started = _spawner(c, monkeypatch, group)
    asyncio.run(spawner.start())
    assert made == {"memory": 2**30, "cpu": 1.0, "pids": 512}
    assert started == [group]  # the preexec joins it


def test_turning_the_cgroups_off_starts_the_server_and_says_so_loudly(monkeypatch, caplog):
    import asyncio
    import logging

    c = _load_config(monkeypatch)
    spawner, started = _spawner(c, monkeypatch, None)
    spawner.learner_cgroups = False
    with caplog.at_level(logging.WARNING):
        asyncio.run(spawner.start())
    assert started == [None]
    assert any(
        r.levelno == logging.WARNING and "LIMITS OFF" in r.getMessage() and "ada" in r.getMessage()
        for r in caplog.records
    ), caplog.text
