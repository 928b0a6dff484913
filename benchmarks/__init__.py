"""Daybook's benchmarks: run with ``make bench B=<name>`` (see docs/benchmarks.md)."""
