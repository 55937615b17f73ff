"""The hub recipe's parts, without accounts or a hub: where it listens, its spawner, its copy, collecting.

tests/test_hub.py runs the whole recipe with real accounts (as root, in CI); these run anywhere.
"""

import importlib.util
import os
import stat
import types
from pathlib import Path

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
    assert c.Spawner.mem_limit == "1G"
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
    spawner.mem_limit = 2**30
    spawner.make_preexec_fn("ada")()
    assert calls == [
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
