"""The system calls a student's kernel may make: a seccomp filter for bwrap's `--seccomp FD`.

Built once per grading process with libseccomp (`pyseccomp`, a ctypes wrapper over Debian's
libseccomp.so.2) as compiled BPF, written into the kernel's grader-side folder (`write`); the
launcher passes the one that fits as an fd to bwrap, which loads it just before it exec's the
kernel. Docker's default profile (moby/profiles seccomp/default.json, for a container
without capabilities), made stricter: every call outside the allow-list fails with EPERM, so
io_uring, keyctl, ptrace, bpf, userfaultfd, perf_event_open, mount, unshare/setns, kexec and module
loading are refused; Docker's list minus what a grading kernel has no use for and could use to hold
memory outside the memory bound (memfd_secret; memfd_create and System V shared memory unless the
kernel is in a memory cgroup of its own, which counts them) or to look outside the sandbox
(name_to_handle_at, fanotify_mark, listmount, statmount, modify_ldt, remap_file_pages).
"""
from __future__ import annotations

import errno
import functools
import os

# Docker's default allow-list for x86_64 and other arches (libseccomp skips names it does not know
# on this machine), less the calls named in the docstring.
ALLOWED = """
accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown chown32
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3
epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old
eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate
fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr
flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64
futex futex_requeue futex_time64 futex_wait futex_waitv futex_wake futimesat getcpu getcwd getdents
getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresgid32 getresuid
getresuid32 getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid
gettimeofday getuid getuid32 getxattr getxattrat inotify_add_watch inotify_init inotify_init1
inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get
ioprio_set io_setup io_submit kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr listxattrat llistxattr
_llseek lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack membarrier mincore mkdir
mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open
mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap mseal msgctl
msgget msgrcv msgsnd msync munlock munlockall munmap nanosleep newfstatat _newselect open openat
openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll
ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64
pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64
recvmsg removexattr removexattrat rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction
rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam
sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval
sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam sched_setscheduler
sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64
sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32
setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid
setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32
setxattr setxattrat shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socketcall
socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs
sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64
timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat utime
utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev arch_prctl
""".split()
# memory that RLIMIT_AS does not see: allowed only where a memory cgroup counts it
SHARED_MEMORY = ("memfd_create", "shmget", "shmat", "shmdt", "shmctl")
NAMESPACE_FLAGS = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (Docker's mask)
PERSONALITIES = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)  # Docker's: query, and the harmless ones
AF_ALG, AF_VSOCK = 38, 40  # sockets a kernel crypto API / the hypervisor would answer


@functools.lru_cache(maxsize=1)
def why_not() -> str:
    """"" when a filter can be built here, else why not (said on the grader's first line)."""
    try:
        program(shared_memory=False)
    except Exception as exc:  # noqa: BLE001 - ImportError, OSError from libseccomp: any means "no filter"
        return f"no seccomp filter ({type(exc).__name__}: {exc})"[:200]
    return ""


@functools.lru_cache(maxsize=2)
def program(*, shared_memory: bool) -> bytes:
    """The compiled BPF program (libseccomp's export), for this machine's architecture."""
    import tempfile

    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ERRNO(errno.EPERM))
    for name in ALLOWED + list(SHARED_MEMORY if shared_memory else ()):
        try:
            f.add_rule(sc.ALLOW, name)
        except (OSError, ValueError, RuntimeError):
            pass  # a call this architecture does not have
    f.add_rule(sc.ALLOW, "clone", sc.Arg(0, sc.MASKED_EQ, NAMESPACE_FLAGS, 0))
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")  # its flags are in memory a filter cannot read: libc falls back to clone
    for persona in PERSONALITIES:
        f.add_rule(sc.ALLOW, "personality", sc.Arg(0, sc.EQ, persona))
    f.add_rule(sc.ALLOW, "socket", sc.Arg(0, sc.LT, AF_ALG))
    f.add_rule(sc.ALLOW, "socket", sc.Arg(0, sc.EQ, AF_ALG + 1))
    f.add_rule(sc.ALLOW, "socket", sc.Arg(0, sc.GT, AF_VSOCK))
    with tempfile.TemporaryFile() as out:
        f.export_bpf(out)
        out.seek(0)
        return out.read()


def write(folder: str) -> dict:
    """Both programs as files of the kernel's grader-side folder (out of the kernel's reach), for
    the launcher: {"seccomp": without, "seccomp_shared_memory": with memfd and shared memory}; {}
    where no filter can be built (the grader's first line says why)."""
    if why_not():
        return {}
    paths = {}
    for key, shared in (("seccomp", False), ("seccomp_shared_memory", True)):
        paths[key] = os.path.join(folder, f"{key}.bpf")
        with open(paths[key], "xb") as f:
            f.write(program(shared_memory=shared))
    return paths


def passed_on(*, shared_memory: bool) -> int:
    """The program in a memfd, as an fd a bwrap started by this process inherits (tests)."""
    fd = os.memfd_create("seccomp", os.MFD_CLOEXEC)
    os.write(fd, program(shared_memory=shared_memory))
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd
