"""Benchmarks: each bench/<name>.py is a script (`make bench` runs them all)."""
