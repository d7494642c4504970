"""Benchmark suite: synthetic organizations, timed cases and the results table.

Run it with ``python -m benchmarks.run``. It prints figures and compares them
with targets, but a missed target never changes its exit code. Generated
data goes to ``benchmarks/data/`` (git-ignored).
"""
