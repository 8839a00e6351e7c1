"""Benchmarks (`make bench`): scripts that measure, never timed tests. See bench/run.py."""
