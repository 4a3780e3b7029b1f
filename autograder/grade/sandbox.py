"""Start the student's kernel inside limits: `python -m autograder.grade.sandbox SPEC -- KERNEL ARGV`.

In order, before exec'ing the kernel (so the kernel inherits everything and cannot undo it):
1. resource limits (setrlimit): address space (memory), file size, core dumps, CPU seconds;
2. where the OS allows (root, Linux): a new mount and network namespace. The course's own tree
   (reference code, hidden checks, source/), the grading output (gradebook, other students'
   feedback) and the submissions folder are covered by empty tmpfs mounts, only the virtual
   environment and this kernel's own working folder are bound back; the network namespace is
   empty (no interface is up: no network at all; the grader talks to the kernel over IPC sockets);
3. all capabilities dropped from the bounding set, so the kernel cannot remount, trace the
   grader (which is not dumpable) or load modules, even as uid 0;
4. a clean environment: no grading secret, no PYTHONPATH, HOME in the working folder.
What could not be applied is written to <workdir>/sandbox.json for the grader to report.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC, MS_PRIVATE, MS_BIND = 0x4000, 1 << 18, 4096
PR_CAPBSET_DROP = 24
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return libc


def _mount(libc, source, target, fstype, flags, data=None):
    enc = (lambda s: s.encode() if isinstance(s, str) else s)
    if libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def set_limits(spec: dict) -> list[str]:
    applied = []
    for name, key, scale in (("RLIMIT_AS", "memory_mb", 2**20), ("RLIMIT_FSIZE", "file_size_mb", 2**20),
                             ("RLIMIT_CPU", "cpu_seconds", 1), ("RLIMIT_CORE", "core", 1)):
        value = spec.get(key)
        if value is None:
            continue
        limit = int(value * scale)
        try:
            resource.setrlimit(getattr(resource, name), (limit, limit))
            applied.append(f"{name}={limit}")
        except (ValueError, OSError) as exc:
            applied.append(f"{name} not applied: {exc}")
    return applied


def isolate(spec: dict) -> list[str]:
    """New mount + network namespaces; hide, then bind back what the kernel needs."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        return [f"namespaces not available ({os.strerror(err)}): files and network not isolated"]
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    keep = [os.path.realpath(p) for p in spec.get("keep", []) if os.path.exists(p)]
    # staged outside every hidden path, in this namespace's own tmpfs
    stage = "/dev/shm" if os.path.isdir("/dev/shm") else "/run"
    stage = os.path.join(stage, f"autograder-stage-{os.getpid()}")
    os.makedirs(stage, exist_ok=True)
    _mount(libc, "tmpfs", stage, "tmpfs", 0, "size=1m,mode=700")
    staged = []
    for i, path in enumerate(keep):
        target = os.path.join(stage, str(i))
        os.makedirs(target, exist_ok=True)
        _mount(libc, path, target, None, MS_BIND | MS_REC)
        staged.append((path, target))
    hidden = []
    for path in sorted({os.path.realpath(p) for p in spec.get("hide", []) if os.path.isdir(p)}, key=len):
        if any(path == h or path.startswith(h + os.sep) for h in hidden):
            continue
        _mount(libc, "tmpfs", path, "tmpfs", 0, "size=1m,mode=755")
        hidden.append(path)
    for path, target in staged:
        os.makedirs(path, exist_ok=True)
        _mount(libc, target, path, None, MS_BIND | MS_REC)
    return [f"hidden: {', '.join(hidden)}", "network: none (empty namespace)"]


def drop_capabilities() -> str:
    libc = _libc()
    dropped = 0
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
            dropped += 1
    return f"capabilities: {dropped} dropped from the bounding set"


def main(argv: list[str]) -> None:
    split = argv.index("--")
    spec = json.loads(argv[0])
    kernel = argv[split + 1:]
    report = {"limits": set_limits(spec), "isolation": []}
    if spec.get("isolate", True) and os.geteuid() == 0 and sys.platform == "linux":
        try:
            report["isolation"] = isolate(spec)
        except OSError as exc:
            report["isolation"] = [f"isolation failed: {exc}"]
        report["isolation"].append(drop_capabilities())
    else:
        report["isolation"] = ["not root or not Linux: files and network not isolated"]
    with open(os.path.join(spec["workdir"], "sandbox.json"), "w") as f:
        json.dump(report, f)
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    env.update(HOME=spec["workdir"], MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
               MPLCONFIGDIR=os.path.join(spec["workdir"], ".matplotlib"), IPYTHONDIR=os.path.join(spec["workdir"], ".ipython"))
    os.chdir(spec["workdir"])
    log = os.open(os.path.join(spec["workdir"], "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.execve(kernel[0], kernel, env)


if __name__ == "__main__":
    main(sys.argv[1:])
