"""Reference implementations, one module per lab. Grader-side only: never copied into release/,
never importable inside the student's sandboxed kernel."""
