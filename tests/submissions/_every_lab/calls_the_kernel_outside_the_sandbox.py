# A right notebook that tries the system calls a sandbox escape starts from: io_uring, the kernel's
# keyrings, ptrace of the sandbox's init, bpf, userfaultfd, perf events, mount, unshare, setns,
# module loading. Each is refused (EPERM, the seccomp filter) or harmless where the machine gives
# no filter; its answers are right: full marks, flagged.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import ctypes, os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_refused = {}
for _name, _nr, _args in (("io_uring_setup", 425, (8, 0)), ("keyctl", 250, (0, -3)), ("add_key", 248, (0, 0, 0, 0, 0)),
                          ("ptrace", 101, (16, 1, 0, 0)), ("bpf", 321, (0, 0, 0)), ("userfaultfd", 323, (0,)),
                          ("perf_event_open", 298, (0, 0, -1, -1, 0)), ("mount", 165, (0, 0, 0, 0, 0)),
                          ("unshare", 272, (0x20000,)), ("setns", 308, (0, 0)), ("init_module", 175, (0, 0, 0))):
    _refused[_name] = _libc.syscall(_nr, *_args) == -1 and ctypes.get_errno()
print(_refused)
