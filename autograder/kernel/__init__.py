"""The student's kernel, and the boundary between it and the grader.

- `boundary.py`: the grader's side, in one file: launch, cells, requests, replies, decoding.
  `grade/` and `checks/` reach the kernel only through it.
- `inside.py`: the only grading code that runs in the kernel (sent as text with each request).
- `sandbox.py`: the bubblewrap sandbox the kernel runs in, and the reaping of its processes.
- `seccomp.py`: the system calls the kernel may make (bwrap's `--seccomp` filter).
- `memory.py`: a memory cgroup per kernel, capping its whole memory.
"""
