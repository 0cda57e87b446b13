"""Pure physics functions over numbers/arrays (Numba-compatible, no I/O, no globals)."""
