"""Plain CSV export of a telemetry table: a channel-name row, a units row, then data.

Layout (the two header rows follow the AiM RaceStudio CSV convention of a name row followed by
a units row, docs/design.md "AiM RaceStudio CSV", without AiM's key/value preamble)::

    time_s,speed_mps,gear
    s,m/s,
    0.0,12.5,3
    0.01,12.503,3

Floats are written with ``repr(float(x))``, Python's shortest string that parses back to the
same float64, so :func:`read_csv` returns bit-identical values (``nan``/``inf`` included).
Integer and boolean columns are written as integers and read back as ``int64``; every other
column reads back as ``float64``. Text is UTF-8 with ``\\r\\n`` line ends (``csv`` module
default) and minimal quoting, so any channel name or unit text survives.

Files are written atomically through :mod:`raidsim.atomic` (a temporary file in the same
directory, renamed into place).

:func:`write_csv_stream` writes the same layout from a stream of polars frames (the run
export: one row batch at a time, formatted by polars, so a 5 h run needs one batch of
memory). A channel stored below the run's sample rate has an empty cell on the rows between
its samples; :func:`read_csv` reads an empty cell as NaN. Floats there are the shortest text
that parses back to the stored value (float32 channels as float32).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import polars as pl
from numpy.typing import NDArray

from raidsim.atomic import open_atomic, write_bytes

__all__ = ["read_csv", "write_csv", "write_csv_stream"]


def write_csv_stream(
    path: str | os.PathLike[str],
    names: Sequence[str],
    units: Mapping[str, str],
    batches: Iterable[pl.DataFrame],
) -> int:
    """Write the name row, the units row and every batch's rows (columns ``names``), atomically.

    Nulls become empty cells. Returns the number of data rows written. Raises ``ValueError``
    naming the channel when a batch lacks a column or holds a non-numeric one.
    """
    head = io.StringIO(newline="")
    writer = csv.writer(head)
    writer.writerow(list(names))
    writer.writerow([units.get(name, "") for name in names])
    rows = 0
    with open_atomic(path) as fh:
        fh.write(head.getvalue().encode("utf-8"))
        for batch in batches:
            for name in names:
                if name not in batch.columns:
                    raise ValueError(f"channel '{name}' is missing from a telemetry batch")
                dtype = batch.schema[name]
                if not (dtype.is_numeric() or dtype == pl.Boolean):
                    raise ValueError(f"channel '{name}' has dtype {dtype}; CSV takes numbers")
            frame = batch.select(
                [
                    pl.col(n).cast(pl.Int8) if batch.schema[n] == pl.Boolean else pl.col(n)
                    for n in names
                ]
            )
            frame.write_csv(fh, include_header=False, line_terminator="\r\n", null_value="")
            rows += frame.height
    return rows


def _column_strings(name: str, values: NDArray[np.generic]) -> list[str]:
    """Format one column; integers as integers, everything else as round-trip float repr."""
    if values.dtype.kind in "biu":
        return [str(int(v)) for v in values.tolist()]
    if values.dtype.kind == "f":
        return [repr(float(v)) for v in values.tolist()]
    raise ValueError(
        f"channel '{name}' has dtype {values.dtype}; write_csv accepts float, integer or "
        "boolean columns (convert it first)"
    )


def write_csv(
    path: str | os.PathLike[str],
    table: Mapping[str, NDArray[np.generic]],
    units: Mapping[str, str],
) -> None:
    """Write ``table`` (channel name -> 1-D array, all the same length) as CSV, atomically.

    Row 1: channel names in ``table`` order; row 2: ``units[name]`` (empty when missing);
    then one row per sample. Raises ``ValueError`` naming the channel when a column is not
    1-D, has a different length from the first, or has an unsupported dtype.
    """
    columns: list[list[str]] = []
    names = list(table)
    n_rows: int | None = None
    for name in names:
        values = np.asarray(table[name])
        if values.ndim != 1:
            raise ValueError(f"channel '{name}' must be 1-D, got shape {values.shape}")
        if n_rows is None:
            n_rows = len(values)
        elif len(values) != n_rows:
            raise ValueError(
                f"channel '{name}' has {len(values)} samples, channel '{names[0]}' has {n_rows}"
            )
        columns.append(_column_strings(name, values))

    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(names)
    writer.writerow([units.get(name, "") for name in names])
    writer.writerows(zip(*columns, strict=True))
    write_bytes(path, buf.getvalue().encode("utf-8"))


def _parse_column(name: str, cells: list[str]) -> NDArray[np.float64] | NDArray[np.int64]:
    """Parse one column: all-integer text gives int64, anything else float64 (an empty cell,
    a channel between its samples, is NaN)."""
    if cells and all(_is_int_text(c) for c in cells):
        return np.array([int(c) for c in cells], dtype=np.int64)
    try:
        return np.array([float(c) if c else np.nan for c in cells], dtype=np.float64)
    except ValueError as exc:
        raise ValueError(f"channel '{name}': {exc}") from exc


def _is_int_text(cell: str) -> bool:
    body = cell[1:] if cell[:1] in "+-" else cell
    return body.isascii() and body.isdigit()


def read_csv(
    path: str | os.PathLike[str],
) -> tuple[dict[str, NDArray[np.float64] | NDArray[np.int64]], dict[str, str]]:
    """Read a file written by :func:`write_csv`; returns ``(table, units)``.

    Raises ``ValueError`` (with the 1-based line number) when the units row is missing, a
    row has the wrong number of fields, or a cell is not a number.
    """
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"{path}: empty file, expected a channel-name row and a units row")
    names = rows[0]
    if not names:  # a table with no channels
        return {}, {}
    if len(rows) < 2:
        raise ValueError(f"{path}: missing the units row (line 2)")
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: duplicate channel names in the header row")
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(names):
            raise ValueError(
                f"{path}: line {lineno} has {len(row)} fields, the header has {len(names)}"
            )
    units = dict(zip(names, rows[1], strict=True))
    data_rows = rows[2:]
    table = {
        name: _parse_column(name, [row[j] for row in data_rows]) for j, name in enumerate(names)
    }
    return table, units
