"""Benchmarks, run on purpose with `bench/run` (never in the test suite)."""
