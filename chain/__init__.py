"""The per-case hash chain: its format, its writers and its verification (see docs/ARCHITECTURE.md)."""
