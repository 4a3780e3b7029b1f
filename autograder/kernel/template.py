"""The pre-imported template that student kernels are forked from (run as `python -c <this file>`).

One per grading worker, started by `forks.Template` inside a bubblewrap sandbox of its own: root,
the same read-only allow-list file system as a kernel's (bwrap makes it), the host's PID namespace
(so that each kernel's uid and memory cgroup are its own), no network. It imports what every
notebook imports (the interpreter, ipykernel, numpy, matplotlib with its font list, scipy,
scikit-learn) once, and then only forks: no student code ever runs in it. Self-contained (the
standard library, and the libraries it pre-imports): the autograder package is not in the sandbox.

Protocol, one JSON line each way on stdin/stdout:
  {"op": "fork", "kernel": {...}}  -> {"pid": P}   P: the host pid of the kernel's keeper, which
                                                    waits for "go" before anything else
  {"op": "go", "pid": P, "seccomp": path or null}  -> {"ok": true}   (the grader has put P into the
                                                    kernel's memory cgroup, and chosen the filter)
  {"op": "reap", "pid": P}  -> {"status": code}     once the grader has seen P end (its pidfd)

For each kernel, in order:
1. the keeper (root, host PID namespace) leaves the template's session, waits for "go", then
   enters new mount, PID, IPC, network, UTS and cgroup namespaces, forks the sandbox's init, and
   waits for it as the kernel's uid;
2. the init (PID 1 there), still root: a private /proc; fresh size-capped tmpfs on /tmp, /dev/shm
   and the home; the grader's folders (every kernel's sockets, logs, connection files) covered by
   an empty read-only tmpfs except this kernel's own socket folder; resource limits; no
   supplementary groups; then the kernel's own uid (UID_BASE + the keeper's pid, as the bwrap
   launcher gives it), which drops every capability; no new privileges; the seccomp filter
   (the one bwrap loads for a fresh kernel); the parent-death signal;
3. the kernel (PID 2) starts a session of its own and runs ipykernel in the pre-imported
   interpreter, with the standard streams on its log and the random generators reseeded.
Killing the keeper kills the init (parent-death signal), and with it everything in the namespace.
"""
import ctypes
import json
import os
import select
import signal
import sys

UID_BASE = 1_000_000
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 4096, 0x4000, 1 << 18
MS_REMOUNT = 32
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 38, 22, 2
PR_CAPBSET_DROP = 24

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None):
    enc = (lambda s: s.encode() if isinstance(s, str) else s)
    check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def pre_import():
    """What a notebook's kernel would import: done here once, before any fork. Nothing here
    starts a thread, an event loop or a zmq context (a fork keeps only the forking thread)."""
    import bdb  # noqa: F401 - these and the next four: what ipykernel imports as it starts (measured)
    import cmd  # noqa: F401
    import code  # noqa: F401
    import pdb  # noqa: F401

    import IPython  # noqa: F401
    import IPython.core.completerlib  # noqa: F401 - these six: what IPKernelApp.initialize imports (measured)
    import IPython.core.debugger  # noqa: F401
    import IPython.core.logger  # noqa: F401
    import IPython.core.oinspect  # noqa: F401
    import IPython.extensions  # noqa: F401
    import IPython.extensions.storemagic  # noqa: F401
    import IPython.utils.wildcard  # noqa: F401
    import ipykernel.debugger  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import tornado.gen  # noqa: F401
    import tornado.locks  # noqa: F401
    import tornado.platform.asyncio  # noqa: F401
    import tornado.queues  # noqa: F401
    import matplotlib
    import matplotlib.font_manager
    import matplotlib.pyplot  # noqa: F401 - the backend (inline) is chosen at the first plot, in the kernel
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.special  # noqa: F401
    import sklearn.datasets  # noqa: F401
    import sklearn.linear_model  # noqa: F401

    matplotlib.font_manager.fontManager  # noqa: B018 - the font list, read from the home's copy
    import threading
    if threading.active_count() != 1:
        raise RuntimeError(f"{threading.active_count()} threads after the imports: forking would lose them")


def set_limits(spec):
    """The grader's list (sandbox.rlimits, the same as a fresh kernel's): a limit that cannot be set
    stops the kernel's start."""
    import resource
    for name, limit in spec["rlimits"]:
        resource.setrlimit(getattr(resource, name), (limit, limit))


def private_files(spec, uid):
    """This kernel's own view, in bwrap's order: a fresh /proc; its private tmpfs (home, /tmp,
    /dev/shm) and the grader's folders covered by an empty one; then, on top, what it must still
    see there (the interpreter and virtualenv, wherever they are: a checkout under /tmp or a home
    folder; its own socket folder), each bound again from a handle opened before it was covered."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    home = spec["home"]
    copies = {}  # the template's read-only home files (the font list), copied into the kernel's
    for name in spec.get("home_files", []):
        with open(os.path.join(home, name), "rb") as f:
            copies[name] = f.read()
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY), True) for path in spec["read_only"]]
    kept.append((spec["sockets"], os.open(spec["sockets"], os.O_PATH | os.O_DIRECTORY), False))
    mount("tmpfs", home, "tmpfs", MS_NOSUID | MS_NODEV, f"size={spec['home_mb'] * 2**20},mode=700,uid={uid},gid={uid}")
    for name, content in copies.items():
        path = os.path.join(home, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, 0o444)
        mount(path, path, None, MS_BIND)
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.chown(os.path.dirname(path), uid, uid)
    for path in ("/tmp", "/dev/shm"):
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={spec['tmpfs_mb'] * 2**20},mode=1777")
    for path in spec["cover"]:  # the grader's folders (every kernel's files): empty and read-only here
        os.makedirs(path, exist_ok=True)
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    covered = tuple(p.rstrip("/") for p in (home, "/tmp", "/dev/shm", *spec["cover"]))
    for path, fd, read_only in kept:
        if any(path == c or path.startswith(c + "/") for c in covered):
            os.makedirs(path, exist_ok=True)
            mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            if read_only:
                mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    for path in spec["cover"]:
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def drop_privileges(uid, program):
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, None, 0, 0)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # every capability goes with root
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0), "no_new_privs")
    if program:
        buffer = ctypes.create_string_buffer(program, len(program))
        fprog = SockFprog(len(program) // 8, ctypes.addressof(buffer))
        check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0), "seccomp")


def run_kernel(spec, log_fd):
    """PID 2: the kernel itself, in the pre-imported interpreter."""
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.closerange(3, 1 << 16)
    os.environ.clear()
    os.environ.update(spec["env"])
    os.chdir(spec["home"])
    connection = os.path.join(spec["home"], ".kernel.json")
    with open(connection, "w") as f:
        f.write(spec["connection"])
    import random

    import numpy
    random.seed()
    numpy.random.seed()  # a fresh process's entropy, not the template's
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", closefd=False, buffering=1)
    sys.stderr = open(2, "w", closefd=False, buffering=1)
    argv = [connection if a == "{connection_file}" else a for a in spec["argv"]]
    sys.argv = ["ipykernel_launcher", *argv]
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    from ipykernel import kernelapp
    kernelapp.launch_new_instance(argv=argv)


def sandbox_init(spec, log_fd, program, uid):
    """PID 1 of the kernel's namespaces: set up, fork the kernel, reap until it ends."""
    private_files(spec, uid)
    set_limits(spec)
    drop_privileges(uid, program)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, None, 0, 0)  # after setuid, which clears it
    kernel = os.fork()
    if kernel == 0:
        try:
            run_kernel(spec, log_fd)
        except BaseException:  # noqa: BLE001 - on its log (its standard error), which the grader reads
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(7)
        os._exit(0)
    while True:
        pid, status = os.wait()
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _open_fds():
    return [int(fd) for fd in os.listdir("/proc/self/fd") if fd.isdigit()]


def keeper(spec, go_fd):
    """The forked child of the template (root, host PID namespace): a session of its own, then,
    once the grader said go, the kernel's namespaces."""
    template = os.getppid()
    os.setsid()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, None, 0, 0)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    log_fd = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    # nothing of the template's: not its request and reply pipes (a kernel writing there would speak
    # for the template), not any other file it holds; standard error is the kernel's log
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(log_fd, 2)
    for fd in _open_fds():
        if fd > 2 and fd not in (go_fd, log_fd):
            try:
                os.close(fd)
            except OSError:
                pass
    try:
        said = b""
        while not said.endswith(b"\n"):
            chunk = os.read(go_fd, 4096)
            if not chunk:
                os._exit(3)  # the grader gave up on this kernel
            said += chunk
        go = json.loads(said)
        os.close(go_fd)
        program = None
        if go.get("seccomp"):  # read before the grader's folders are covered
            with open(go["seccomp"], "rb") as f:
                program = f.read()
        uid = UID_BASE + os.getpid()
        os.chown(spec["sockets"], uid, uid)
        check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWCGROUP),
              "unshare")
        init = os.fork()
        if init == 0:
            try:
                libc.sethostname(b"sandbox", 7)
                sandbox_init(spec, log_fd, program, uid)
            except BaseException as exc:  # noqa: BLE001 - said in the log, which the grader reads
                os.write(log_fd, f"autograder template: the kernel's sandbox was not made: {exc}\n".encode())
                os._exit(4)
        # the keeper only waits now, as the kernel's uid (all of whose processes the grader kills)
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, None, 0, 0)  # again: the change of uid cleared it
        if os.getppid() != template:  # the template (and its worker) died meanwhile
            os._exit(9)
        _, status = os.waitpid(init, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    except BaseException as exc:  # noqa: BLE001
        os.write(log_fd, f"autograder template: {exc}\n".encode())
        os._exit(5)


def serve():
    requests = os.fdopen(0, "rb", buffering=0)
    replies = os.fdopen(1, "w", buffering=1)
    waiting = {}  # pid -> the write end of its go pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    line = b""
    while True:
        chunk = requests.read(65536) if select.select([requests], [], [])[0] else b""
        if not chunk:
            return
        line += chunk
        while b"\n" in line:
            raw, line = line.split(b"\n", 1)
            ask = json.loads(raw)
            if ask["op"] == "fork":
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(write_end)
                    for fd in waiting.values():
                        os.close(fd)
                    keeper(ask["kernel"], read_end)
                    os._exit(6)
                os.close(read_end)
                waiting[pid] = write_end
                replies.write(json.dumps({"pid": pid}) + "\n")
            elif ask["op"] == "go":
                fd = waiting.pop(ask["pid"])
                os.write(fd, (json.dumps(ask) + "\n").encode())
                os.close(fd)
                replies.write('{"ok": true}\n')
            elif ask["op"] == "reap":
                fd = waiting.pop(ask["pid"], None)
                if fd is not None:
                    os.close(fd)
                _, status = os.waitpid(ask["pid"], 0)
                replies.write(json.dumps({"status": os.waitstatus_to_exitcode(status)}) + "\n")


if __name__ == "__main__":
    pre_import()
    print(json.dumps({"ready": os.getpid()}), flush=True)
    serve()
