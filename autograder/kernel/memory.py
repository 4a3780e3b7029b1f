"""A memory cgroup per kernel: its whole memory (its processes, its tmpfs files, memfd and shared
memory) counted and capped, which RLIMIT_AS alone does not do (tmpfs and memfd pages are in no
process's address space).

Made by the launcher as root, before it becomes the kernel's uid: a cgroup of its own under the
grader's own memory cgroup (v2 where the grader's cgroup delegates the memory controller to its
children, else v1's memory hierarchy), capped at the kernel's memory limit, which the launcher joins
so that bwrap and everything in the sandbox are in it. Past the cap the kernel's largest process is
killed by the OOM killer (the grader sees a dead kernel). Removed by the grader once the kernel's
processes are reaped; one left by a killed grader is removed by the next kernel's launcher. Where
neither is writable (not root, no memory controller), `why_not` says so and the seccomp filter
refuses memfd and System V shared memory instead (see seccomp.py).
"""
from __future__ import annotations

import functools
import os

PREFIX = "autograder-kernel-"


def _mounts() -> list[tuple[str, str, str]]:
    """(mount point, file system type, super options) of every mount, from /proc/self/mountinfo."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            dash = fields.index("-")
            found.append((fields[4], fields[dash + 1], fields[dash + 3] if len(fields) > dash + 3 else ""))
    return found


@functools.lru_cache(maxsize=1)
def parent() -> tuple[str, str] | tuple[None, str]:
    """("v2" or "v1", the folder kernels' cgroups are made in), or (None, why not)."""
    if os.geteuid() != 0:
        return None, "the grader is not root"
    try:
        with open("/proc/self/cgroup") as f:
            lines = [line.rstrip("\n").split(":", 2) for line in f]
        mounts = _mounts()
    except (OSError, ValueError, IndexError):
        return None, "no /proc/self/cgroup"
    for hierarchy, controllers, path in lines:
        if hierarchy == "0" and controllers == "":
            for point, fstype, _ in mounts:
                folder = point + path.rstrip("/")
                if fstype == "cgroup2" and os.path.isdir(folder):
                    try:
                        with open(os.path.join(folder, "cgroup.subtree_control")) as f:
                            if "memory" in f.read().split():
                                return "v2", folder
                    except OSError:
                        pass
    for hierarchy, controllers, path in lines:
        if "memory" in controllers.split(","):
            for point, fstype, options in mounts:
                folder = point + path.rstrip("/")
                if fstype == "cgroup" and "memory" in options.split(",") and os.path.isfile(
                        os.path.join(folder, "memory.limit_in_bytes")):
                    return "v1", folder
    return None, "the machine delegates no memory controller"


def why_not() -> str:
    return "" if parent()[0] else f"no memory cgroup ({parent()[1]})"


def _write(folder: str, name: str, value) -> None:
    with open(os.path.join(folder, name), "w") as f:
        f.write(str(value))


def join(pid: int, limit_bytes: int) -> bool:
    """Put process `pid` (the launcher, before bwrap) into a new cgroup capped at `limit_bytes`;
    False (and nothing left behind) where that cannot be done."""
    version, folder = parent()
    if version is None:
        return False
    sweep(folder)
    mine = os.path.join(folder, f"{PREFIX}{pid}")
    try:
        os.mkdir(mine, 0o755)
        if version == "v2":
            _write(mine, "memory.max", limit_bytes)
            if os.path.exists(os.path.join(mine, "memory.swap.max")):
                _write(mine, "memory.swap.max", 0)
        else:
            _write(mine, "memory.limit_in_bytes", limit_bytes)
            try:  # no swap beyond the cap, where swap is accounted
                _write(mine, "memory.memsw.limit_in_bytes", limit_bytes)
            except OSError:
                pass
        _write(mine, "cgroup.procs", pid)
        return True
    except OSError:
        release(pid)
        return False


def release(pid: int) -> None:
    """Remove the cgroup of the kernel whose launcher was `pid` (a no-op while processes are in it)."""
    version, folder = parent()
    if version is not None:
        try:
            os.rmdir(os.path.join(folder, f"{PREFIX}{pid}"))
        except OSError:
            pass


def sweep(folder: str) -> None:
    """Remove kernels' cgroups whose launcher is gone (a grader killed before it removed them)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        pid = name[len(PREFIX):]
        if name.startswith(PREFIX) and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            try:
                os.rmdir(os.path.join(folder, name))
            except OSError:
                pass
