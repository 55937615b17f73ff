"""Collect the learners' notebooks from the hub's server into the layout the grader reads.

    python3 hub/collect.py submissions                          # every notebook of every learner
    python3 hub/collect.py submissions -n 02_softmax_jacobian   # one notebook

Run it as root (or with sudo) on the hub's server: learners' homes are private, so nobody else can
read them. Every member of the group ``course`` who is not in ``course-admin`` is a learner; what
they saved in ``~/backprop-through-softmax/`` goes to ``<out>/<learner>/<notebook>.ipynb``, the
layout ``python -m course_utils.grading NOTEBOOK submissions/*/NOTEBOOK.ipynb`` reads (each
learner named by their folder). ``<out>`` is made readable by root only.

Only regular files the learner owns are taken, read without following links: a link a learner
plants in their folder (to a classmate's notebook or a system file) is skipped and reported, never
copied. Needs nothing but Python's standard library.
"""

import argparse
import grp
import os
import pwd
import stat
import sys
from pathlib import Path

FOLDER = "backprop-through-softmax"


def learners(group="course", teachers="course-admin"):
    """The learners' names: members of ``group`` (or with it as their own), minus ``teachers``."""
    members = set(grp.getgrnam(group).gr_mem)
    gid = grp.getgrnam(group).gr_gid
    members |= {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    try:
        members -= set(grp.getgrnam(teachers).gr_mem)
    except KeyError:
        pass
    return sorted(members)


def _read_own_file(path, uid):
    """The bytes of ``path`` if it is a regular file owned by ``uid`` (not a link), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
            return None
        return f.read()


def collect(out, accounts, notebooks=None, folder=FOLDER):
    """Copy each learner's notebooks into ``out/<learner>/``; returns ``{learner: [file names]}``.

    ``accounts``: the learners' password entries (``pwd.getpwnam``), or anything with their
    ``pw_name``, ``pw_dir`` and ``pw_uid``.
    """
    out = Path(out)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    gathered = {}
    for account in accounts:
        name = account.pw_name
        source = Path(account.pw_dir) / folder
        taken = []
        if source.is_symlink() or not source.is_dir():
            print(f"{name}: no folder {source}", file=sys.stderr)
            gathered[name] = taken
            continue
        wanted = [f"{n}.ipynb" for n in notebooks] if notebooks else None
        for path in sorted(source.glob("*.ipynb")):
            if wanted is not None and path.name not in wanted:
                continue
            data = _read_own_file(path, account.pw_uid)
            if data is None:
                print(f"{name}: skipped {path.name} (a link, or not a file of theirs)", file=sys.stderr)
                continue
            target = out / name
            target.mkdir(mode=0o700, exist_ok=True)
            (target / path.name).write_bytes(data)
            os.chmod(target / path.name, 0o600)
            taken.append(path.name)
        gathered[name] = taken
    return gathered


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 hub/collect.py",
        description="Copy the learners' saved notebooks into OUT/<learner>/, for the grader.",
    )
    parser.add_argument("out", help="folder to write, e.g. submissions")
    parser.add_argument(
        "-n", "--notebook", action="append", help="a notebook to collect (repeatable; default: all)"
    )
    parser.add_argument("--group", default="course", help="the learners' group (default: course)")
    parser.add_argument(
        "--teachers",
        default="course-admin",
        help="members of this group are left out (default: course-admin)",
    )
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("run it as root (sudo): the learners' homes are private", file=sys.stderr)
        return 1
    names = learners(args.group, args.teachers)
    gathered = collect(args.out, [pwd.getpwnam(n) for n in names], args.notebook)
    for name, files in gathered.items():
        print(f"{name}: {len(files)} notebook(s)")
    print(f"{sum(map(len, gathered.values()))} notebooks from {len(names)} learners in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
