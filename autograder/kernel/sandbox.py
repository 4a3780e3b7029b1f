"""Start the student's kernel in a bubblewrap sandbox: `python -m autograder.kernel.sandbox SPEC -- KERNEL ARGV`.

The grader's KernelManager runs this launcher; it exec's `bwrap`, which exec's the kernel. In order:
1. resource limits (setrlimit, inherited by bwrap and everything in the sandbox): address space
   (memory), file size, core dumps, processes (RLIMIT_NPROC, counted per uid: see 3.), open files;
   then, as root, a memory cgroup of its own capping the kernel's whole memory (memory.py), and
   the seccomp filter for bwrap, the grader's compiled program that fits (seccomp.py);
2. as root, in a private mount namespace of the launcher only, each read-only folder the kernel
   needs (the interpreter under /root, the virtualenv) is bound onto a stage in the kernel's
   grader-side folder, so that bwrap can reach it without /root being readable by anyone else;
3. as root, the launcher becomes an unprivileged uid of its own (UID_BASE + its pid: one per
   kernel, so signals, /proc and RLIMIT_NPROC are per kernel) before exec'ing bwrap;
4. bwrap (see `bwrap_args`, one readable list): new user, PID, mount, network, IPC, UTS and
   cgroup namespaces; an allow-list file system (read-only: /usr, a few files of /etc, the
   interpreter, the virtualenv; writable: its own home, /tmp and /dev/shm, size-capped tmpfs
   that vanish with it, and the folder of its own Jupyter sockets); uid 1000 inside; no
   capabilities, no new privileges, no nested user namespaces, a new session, the seccomp filter;
   it dies with the grader, and every process in it dies with its PID namespace;
5. a clean environment: no grading secret, no PYTHONPATH, HOME in its private home.

Where bwrap cannot run (not installed, no user namespaces, not Linux), `fallback` does what the
grader did before bubblewrap: limits, and as root a mount + network namespace hiding the course.
The grader knows which one ran (`probe()`), and says so in each row's flags.
"""
from __future__ import annotations

import ctypes
import functools
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import time

from autograder.kernel import memory, seccomp

UID_BASE = 1_000_000  # the outside uid of a kernel is UID_BASE + its launcher's pid (pid_max <= 2**22)
INSIDE_UID = 1000
HOME = "/home/student"
CONNECTION = "/run/autograder/kernel.json"
OPEN_FILES = 256  # RLIMIT_NOFILE: a kernel needs a few dozen (zmq, matplotlib)
TMPFS_MB = 64  # each of the kernel's /tmp, /dev/shm and home (tmpfs memory is not in RLIMIT_AS)
ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")
USR_LINKS = ("bin", "lib", "lib64", "sbin")
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC, MS_PRIVATE, MS_BIND = 0x4000, 1 << 18, 4096
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1


# --- the sandbox -----------------------------------------------------------------------------
def bwrap_args(*, binds: list[tuple[str, str]], sockets: str, connection_fd: int | None,
               command: list[str], home_mb: int = TMPFS_MB, masked: list[tuple[str, int | None]] = (),
               home_files: list[tuple[str, int]] = (), seccomp_fd: int | None = None) -> list[str]:
    """bwrap's arguments: `binds` are (source, path inside) bound read-only; `masked` are paths
    inside them that the kernel sees empty and read-only (masked_paths): a folder (None), or a
    file read from an open fd of /dev/null; `home_files` are (path in the home, open fd) shown as
    read-only copies of what the grader gave (font_list); `sockets` is the one host folder bound
    writable (the kernel's Jupyter sockets, locked by the grader once bound); the home is bigger
    than the file size limit, so that a huge file meets that limit first; `seccomp_fd` is an open
    fd of the compiled seccomp filter (seccomp.py) bwrap loads before it exec's the kernel."""
    size = str(TMPFS_MB * 2**20)
    # the kernel's private, writable folders first: every bind below lands on top of them, so a
    # checkout or an interpreter under /tmp or a home folder stays visible (a tmpfs mounted after a
    # bind would cover it, and the kernel's interpreter would not exist)
    args = [bwrap_path(),
            "--unshare-all", "--unshare-user", "--disable-userns",  # user, pid, mount, net, ipc, uts, cgroup
            "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--hostname", "sandbox",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev",
            "--size", size, "--tmpfs", "/dev/shm",
            "--size", size, "--tmpfs", "/tmp",
            "--size", str(home_mb * 2**20), "--tmpfs", HOME, *system_files()]
    for source, target in binds:
        args += ["--ro-bind", source, target]
    for path, fd in masked:
        args += ["--tmpfs", path, "--remount-ro", path] if fd is None else ["--ro-bind-data", str(fd), path]
    args += ["--chdir", HOME, "--bind", sockets, sockets]
    for name, fd in home_files:
        args += ["--ro-bind-data", str(fd), os.path.join(HOME, name)]
    if connection_fd is not None:
        args += ["--ro-bind-data", str(connection_fd), CONNECTION]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    return [*args, "--", *command]


def system_files(before_etc=lambda path: []) -> list[str]:
    """bwrap's arguments for what any sandbox here sees of the system: /usr read-only, the links or
    folders beside it (/bin, /lib, ...), and a few files of /etc (`before_etc(path)` goes before each)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in USR_LINKS:
        if os.path.islink(f"/{name}"):
            args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            args += ["--ro-bind", f"/{name}", f"/{name}"]
    for path in ETC:
        if os.path.exists(path):
            args += [*before_etc(path), "--ro-bind", path, path]
    return args


def masked_paths() -> list[tuple[str, bool]]:
    """What the kernel's interpreter would load at every start and a grading kernel has no use
    for: the debugger (ipykernel imports debugpy and pydevd at start when it finds them: time at
    each kernel's start, and a debug channel nobody needs) and this package's editable-install
    hook (a .pth file run at start, pointing at a folder the kernel cannot see anyway)."""
    import glob
    import importlib.util
    import sysconfig

    found = importlib.util.find_spec("debugpy")
    paths = list(found.submodule_search_locations or []) if found else []
    paths += glob.glob(os.path.join(sysconfig.get_paths()["purelib"], "__editable__.*.pth"))
    return [(os.path.realpath(p), os.path.isdir(p)) for p in paths if os.path.exists(p)]


@functools.lru_cache(maxsize=1)
def font_list() -> tuple[str, bytes] | None:
    """(name in the home, content) of matplotlib's font cache for the kernels, or None without
    matplotlib. Every lab plots, and a kernel whose private home holds no font cache builds one at
    its first `import matplotlib.pyplot` (runs fc-list, opens every font: a cost in every notebook,
    bench/RESULTS.md). Built once per grading process from the fonts themselves, not
    read from the grader's own matplotlib cache (a file in root's home, which a kernel without
    bubblewrap could have written), keeping only the fonts a kernel can see (under /usr and the
    interpreter's and virtualenv's folders); each kernel gets a read-only copy of its own."""
    try:
        from matplotlib import font_manager
    except ImportError:
        return None
    import tempfile

    visible = tuple({"/usr/", *(os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix))})
    fonts = font_manager.FontManager()
    fonts.ttflist = [f for f in fonts.ttflist if os.path.realpath(f.fname).startswith(visible)]
    fonts.afmlist = [f for f in fonts.afmlist if os.path.realpath(f.fname).startswith(visible)]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "fontlist.json")
        font_manager.json_dump(fonts, path)
        with open(path, "rb") as f:
            content = f.read()
    return f".matplotlib/fontlist-v{font_manager.FontManager.__version__}.json", content


@functools.lru_cache(maxsize=1)
def bwrap_path() -> str:
    return shutil.which("bwrap") or "/usr/bin/bwrap"


# --- the grader's side: bwrap's processes end, and are reaped --------------------------------
def become_subreaper() -> None:
    """Orphans of this process's kernels become its children, not PID 1's: in a container PID 1
    may never reap, and a dead kernel's sandbox (bwrap's PID 1) would stay a zombie for good."""
    if sys.platform == "linux":
        _libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(sig: int) -> None:
    """This process gets `sig` when its parent ends (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform == "linux":
        _libc().prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def proc_stat(pid: int | str) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[1])
    except (OSError, IndexError, ValueError):
        return None


def reap(uid: int, seconds: float = 5.0) -> list[int]:
    """Kill and reap every process left with a kernel's own uid; return the pids still there after
    `seconds` (none, unless one is stuck in the kernel). Root only, where each kernel has a uid of
    its own; otherwise nothing to do."""
    if os.geteuid() != 0:
        return []
    deadline = time.monotonic() + seconds
    while True:
        left = []
        for pid in os.listdir("/proc"):
            try:
                if not pid.isdigit() or os.stat(f"/proc/{pid}").st_uid != uid:
                    continue
            except OSError:
                continue
            state = proc_stat(pid)
            if state is None:
                continue
            if state[1] == os.getpid():
                try:
                    if os.waitpid(int(pid), os.WNOHANG)[0]:
                        continue
                except ChildProcessError:
                    pass
            elif state[0] != "Z":
                try:
                    os.kill(int(pid), 9)
                except OSError:
                    pass
            left.append(int(pid))
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


def read_only_paths() -> list[str]:
    """What the kernel's interpreter needs to start, bound read-only: the base interpreter, the
    virtualenv, and the folder of every link on the way from the virtualenv's `python` to the real
    file (a virtualenv made from another one, pyenv's shims), wherever they are (/tmp, a home,
    a path with spaces)."""
    folders = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix),
               os.path.realpath(os.path.dirname(os.path.dirname(sys.executable)))}
    path, hops = os.path.abspath(sys.executable), 0
    while os.path.islink(path) and hops < 40:
        path = os.path.join(os.path.dirname(path), os.readlink(path))
        folders.add(os.path.realpath(os.path.dirname(os.path.dirname(path))))
        hops += 1
    # a folder inside another one is bound with it; "/" or /usr are never bound over the sandbox's own
    chosen = []
    for folder in sorted(folders, key=len):
        if folder in ("/", "/usr") or any(folder.startswith(c.rstrip(os.sep) + os.sep) for c in chosen):
            continue
        chosen.append(folder)
    return sorted(chosen)


def kernel_python() -> str:
    """The virtualenv's interpreter by the virtualenv's real folder (the one bound in the sandbox):
    a virtualenv reached through a link (a folder whose .venv links to another checkout's) would
    otherwise be started by a path that does not exist in the sandbox."""
    venv = os.path.dirname(os.path.dirname(os.path.abspath(sys.executable)))
    return os.path.join(os.path.realpath(venv), "bin", os.path.basename(sys.executable))


def new_workdir() -> str:
    """A kernel's grader-side folder (launcher log, connection file, socket folders, stages):
    root's, traversable so that bwrap (the kernel's own uid) reaches its stages, not listable."""
    import tempfile

    base = tempfile.gettempdir()
    if not _traversable(base):
        base = "/tmp"
    workdir = tempfile.mkdtemp(prefix="agk-", dir=base)
    os.chmod(workdir, 0o711)
    return workdir


def _traversable(folder: str) -> bool:
    """Every folder on the way to `folder` lets others pass (o+x)."""
    path = os.path.realpath(folder)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        if path == os.path.dirname(path):
            return True
        path = os.path.dirname(path)


def read_log(workdir: str, limit: int = 4096) -> str:
    """The last lines the launcher, bwrap or the kernel wrote (bwrap's own message when it could
    not make the sandbox), from the grader-side folder: never through a link, at most `limit`
    bytes; one line, lines joined by " | "."""
    try:
        fd = os.open(os.path.join(workdir, "launcher.log"), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        os.lseek(fd, max(0, os.fstat(fd).st_size - limit), os.SEEK_SET)
        text = os.read(fd, limit).decode(errors="replace")
    finally:
        os.close(fd)
    lines = [line.strip() for line in text.splitlines() if line.strip() and line.isprintable()]
    return " | ".join(lines[-3:])[:600]


def launcher_command(spec: dict, kernel: list[str]) -> list[str]:
    """The command that starts `kernel` in the sandbox `spec` describes (see `main`)."""
    return [sys.executable, "-m", "autograder.kernel.sandbox", json.dumps(spec), "--", *kernel]


_verdict: str | None = None  # probe()'s, once per process (or given by the grading process: settle)

KERNEL_NEEDS = "import ipykernel, numpy"


def probe() -> str:
    """"" when a kernel can start in bubblewrap here, else why not (bwrap's own words). Checked
    the way a kernel starts: the launcher, with the real binds, runs the virtualenv's interpreter
    inside the sandbox and imports what a kernel needs; once per grading run (`settle`)."""
    global _verdict
    if _verdict is None:
        _verdict = _probe()
    return _verdict


def settle(why_not: str) -> None:
    """Take the grading process's probe() verdict (a worker does not probe again)."""
    global _verdict
    _verdict = why_not


def _probe() -> str:
    if sys.platform != "linux":
        return f"not Linux ({sys.platform})"
    if not shutil.which("bwrap"):
        return "bwrap is not installed (Debian: apt-get install bubblewrap)"
    become_subreaper()  # bwrap's outer process may end before it reaps its inner one
    workdir = new_workdir()
    try:
        sockets = os.path.join(workdir, "run")
        os.mkdir(sockets, 0o700)
        connection = os.path.join(workdir, "kernel.json")
        with open(connection, "x") as f:
            f.write("{}")
        spec = {"workdir": workdir, "tool": "bubblewrap", "read_only": read_only_paths(), "sockets": sockets,
                "connection_file": connection, "home_files": [], "memory_mb": 2048, "core": 0,
                **seccomp.write(workdir)}  # the filter too: a kernel that cannot start under it is no kernel
        try:
            proc = subprocess.Popen(launcher_command(spec, [kernel_python(), "-c", KERNEL_NEEDS]),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            return f"the sandbox's launcher could not start: {exc}"
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        finally:
            reap(UID_BASE + proc.pid)
            memory.release(proc.pid)
        if code == 0:
            return ""
        said = read_log(workdir) or f"exit code {code}"
        return f"a kernel cannot start in bubblewrap here: {said}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def guards() -> str:
    """What bounds the kernel besides namespaces, as this machine provides it (the grader's first
    line and each unit's `sandbox`): the seccomp filter, and a memory cgroup or, without one,
    memfd and shared memory refused by the filter (so RLIMIT_AS and the tmpfs sizes bound its
    memory), or without either, memfd bounded by RLIMIT_NOFILE x RLIMIT_FSIZE."""
    version = memory.parent()[0]
    if version:
        bound = f"memory cgroup ({version}) per kernel"
    elif not seccomp.why_not():
        bound = f"{memory.why_not()}: memfd and shared memory refused, memory bound = address space + tmpfs"
    else:
        bound = f"{memory.why_not()}: memfd bounded only by {OPEN_FILES} open files x the file size limit"
    return "; ".join(["seccomp filter" if not seccomp.why_not() else seccomp.why_not(), bound])


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def clean_env(home: str) -> dict:
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    # figures drawn inline (PNG, on pyplot's first import only): the TA sees them in formgrader
    env.update(HOME=home, MPLBACKEND=INLINE_BACKEND, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
               MPLCONFIGDIR=os.path.join(home, ".matplotlib"), IPYTHONDIR=os.path.join(home, ".ipython"))
    return env


# --- the launcher ----------------------------------------------------------------------------
def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return libc


def _mount(libc, source, target, fstype, flags, data=None):
    enc = (lambda s: s.encode() if isinstance(s, str) else s)
    if libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


RLIMITS = (("RLIMIT_AS", "memory_mb", 2**20), ("RLIMIT_FSIZE", "file_size_mb", 2**20), ("RLIMIT_CPU", "cpu_seconds", 1),
           ("RLIMIT_CORE", "core", 1), ("RLIMIT_NPROC", "processes", 1), ("RLIMIT_NOFILE", "open_files", 1))


def rlimits(spec: dict) -> list[tuple[str, int]]:
    """(resource name, limit) for each limit `spec` sets: applied here (set_limits) and, for a forked
    kernel, by its sandbox's init (template.py, which gets the list)."""
    return [(name, int(spec[key] * scale)) for name, key, scale in RLIMITS if spec.get(key) is not None]


def set_limits(spec: dict) -> list[str]:
    applied = []
    for name, limit in rlimits(spec):
        try:
            resource.setrlimit(getattr(resource, name), (limit, limit))
            applied.append(f"{name}={limit}")
        except (ValueError, OSError) as exc:
            applied.append(f"{name} not applied: {exc}")
    return applied


def stage_read_only(spec: dict) -> list[tuple[str, str]]:
    """(source, target) for bwrap's read-only binds. As root, each target is first bound onto a
    stage under the grader-side folder in the launcher's own mount namespace, so the unprivileged
    bwrap can reach the interpreter under /root without /root being opened to anyone."""
    targets = [os.path.realpath(p) for p in spec["read_only"]]
    if os.geteuid() != 0:
        return [(t, t) for t in targets]
    libc = _libc()
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    binds = []
    for i, target in enumerate(targets):
        stage = os.path.join(spec["workdir"], "ro", str(i))
        os.makedirs(stage, mode=0o711, exist_ok=True)
        _mount(libc, target, stage, None, MS_BIND | MS_REC)
        binds.append((stage, target))
    return binds


def _passed_on(path: str) -> int:
    """`path` opened read-only (never through a link), as an fd that bwrap inherits."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    os.set_inheritable(fd, True)
    return fd


def launch(spec: dict, kernel: list[str]) -> None:
    """Exec bwrap running `kernel` (whose `-f` argument is replaced by the in-sandbox copy)."""
    set_limits({"open_files": OPEN_FILES, **spec})
    # the whole memory in a cgroup of its own where the machine gives one; then memfd and shared
    # memory are counted and allowed, else refused by the filter
    counted = bool(spec.get("memory_mb")) and memory.join(os.getpid(), int(spec["memory_mb"]) * 2**20)
    program = spec.get("seccomp_shared_memory" if counted else "seccomp")  # built by the grader (seccomp.write)
    filter_fd = _passed_on(program) if program else None
    binds = stage_read_only(spec)
    # found as root (the interpreter's files are not readable by the kernel's uid); a file is shown
    # as what bwrap reads from an open /dev/null
    masked = [(path, None if is_dir else _passed_on(os.devnull)) for path, is_dir in masked_paths()]
    conn = _passed_on(spec["connection_file"])
    home_files = [(name, _passed_on(source)) for name, source in spec.get("home_files", [])]
    kernel = [CONNECTION if a == spec["connection_file"] else a for a in kernel]
    if os.geteuid() == 0:
        uid = UID_BASE + os.getpid()
        os.chown(spec["sockets"], uid, uid)  # created by the grader, root-owned, 0700
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    home_mb = int(spec.get("file_size_mb") or 0) + TMPFS_MB
    os.execve(bwrap_path(), bwrap_args(binds=binds, sockets=spec["sockets"], connection_fd=conn, command=kernel,
                                       home_mb=home_mb, masked=masked, home_files=home_files, seccomp_fd=filter_fd),
              clean_env(HOME))


# --- without bubblewrap: what the grader did before (a deny-list, uid 0 without capabilities) ---
def isolate(spec: dict) -> None:
    """New mount + network namespaces; hide, then bind back what the kernel needs."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    keep = [os.path.realpath(p) for p in spec.get("keep", []) if os.path.exists(p)]
    stage = "/dev/shm"  # a tmpfs of this namespace only: nothing is left on the machine's /dev/shm
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
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)


def fallback(spec: dict, kernel: list[str]) -> None:
    set_limits({"open_files": OPEN_FILES, **{k: v for k, v in spec.items() if k != "processes"}})  # uid 0 here: NPROC would count root's
    home = spec["home"]
    # copied into the kernel's home before isolate() hides the grader's folder (and /tmp with it):
    # a kernel that cannot read its connection file makes one of its own, on ports nobody knows
    connection = os.path.join(home, ".kernel.json")
    for name, source in [*spec.get("home_files", []), (".kernel.json", spec["connection_file"])]:
        target = os.path.join(home, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)
    kernel = [connection if a == spec["connection_file"] else a for a in kernel]
    if spec.get("isolate") and os.geteuid() == 0 and sys.platform == "linux":
        try:
            isolate({**spec, "keep": [*spec["read_only"], home, spec["sockets"]]})
        except OSError as exc:  # the grader reports the sandbox as missing whatever happened here
            print(f"autograder launcher: the deny-list namespaces were not made: {exc}", file=sys.stderr, flush=True)
    os.chdir(home)
    os.execve(kernel[0], kernel, clean_env(home))


def main(argv: list[str]) -> None:
    split = argv.index("--")
    spec = json.loads(argv[0])
    kernel = argv[split + 1:]
    log = os.open(os.path.join(spec["workdir"], "launcher.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    if spec.get("tool") == "bubblewrap":
        launch(spec, kernel)
    else:
        fallback(spec, kernel)


if __name__ == "__main__":
    main(sys.argv[1:])
