"""Compact telemetry files: per-channel sample rates and dtypes in one Parquet table.

``telemetry.parquet`` (format 2, written by :class:`TelemetryWriter`) is one table on the
run's sample grid (100 Hz by default): one row per sample, ``time_s`` and ``distance_m`` on
every row. Each channel keeps its own rate, as loggers do: a channel at ``rate_hz`` below the
grid rate holds a value on every ``k = grid / rate``-th row (rows ``0, k, 2k ...``, so its
samples sit at ``t0 + i / rate``) and null on the rows between; nulls cost a bit each and
compress to nothing. Channels are stored as float32 unless they need float64 (time and
positions) or are small integers (int8); float32 channels keep 16 significant mantissa
bits (:func:`raidsim.io.channels.round_mantissa`, relative resolution 7.6e-6); floats use
byte-stream-split encoding and zstd, which is what makes noisy floats compress.
docs/design.md "Outputs" says why one table.

Metadata (schema keys, JSON): ``raidsim.units``, ``raidsim.descriptions``,
``raidsim.rates_hz`` (channel -> Hz), ``raidsim.sample_rate_hz`` (the grid) and
``raidsim.telemetry_format``; each field also carries ``unit``, ``description`` and
``rate_hz``. Files without them (format 1: every channel float64 on every row) read the same
way, every channel at the grid rate.

Readers never need the whole table in memory: :class:`TelemetryFile` gives the channel list,
units, rates, counts and ranges from the footer, and :meth:`TelemetryFile.batches` streams
row batches (~11 min at 100 Hz at a time). :class:`FrameTelemetry` offers the
same interface over an in-memory polars frame, so every consumer has one code path.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

import raidsim.atomic as atomic
from raidsim.io.channels import NUMPY_DTYPES, ChannelFormat, channel_stride, round_mantissa

__all__ = [
    "BATCH_ROWS",
    "ChannelFormat",
    "FrameTelemetry",
    "TelemetryFile",
    "TelemetrySource",
    "TelemetryWriter",
    "channel_stride",
    "write_telemetry_table",
    "column_values",
    "rate_from_time",
]

FORMAT_VERSION = "2"
UNITS_KEY = b"raidsim.units"
DESCRIPTIONS_KEY = b"raidsim.descriptions"
RATES_KEY = b"raidsim.rates_hz"
SAMPLE_RATE_KEY = b"raidsim.sample_rate_hz"
FORMAT_KEY = b"raidsim.telemetry_format"

#: rows per Parquet row group written (2^14: ~2.7 min at 100 Hz, ~3 MB of compact columns;
#: 0.4 % larger files than 2^16 on the default stage, and a quarter of the compression left
#: to do when the kernel finishes: the last group is written after the run, while the user
#: waits, `benchmarks/bench_startup.py`)
ROW_GROUP_ROWS = 1 << 14
#: rows per batch read (2^16: ~11 min at 100 Hz, about 20 MB of compact columns: few
#: batches per run, small enough to bound memory)
BATCH_ROWS = 1 << 16
#: zstd level: 3 is ~3 % smaller than the default 1 at ~1.6x the compression time
ZSTD_LEVEL = 3

#: Arrow and NumPy type of each stored dtype (:data:`raidsim.io.channels.NUMPY_DTYPES`)
DTYPES: dict[str, tuple[pa.DataType, type[np.generic]]] = {
    name: (pa.from_numpy_dtype(np_type), np_type) for name, np_type in NUMPY_DTYPES.items()
}

F64 = NDArray[np.float64]


def rate_from_time(time_s: NDArray[Any]) -> float:
    """Sample rate from a time column (median step), rounded to an integer within 1e-6."""
    t = np.asarray(time_s, dtype=np.float64)
    t = t[np.isfinite(t)]
    if len(t) < 2:
        return math.nan
    step = float(np.median(np.diff(t)))
    if not (math.isfinite(step) and step > 0):
        return math.nan
    rate = 1.0 / step
    return float(round(rate)) if abs(rate - round(rate)) < 1e-6 * rate else rate


def column_values(frame: pl.DataFrame, name: str) -> tuple[F64, NDArray[np.bool_] | None]:
    """``(float64 values, valid mask or None)`` of one column of a batch (None: no nulls)."""
    s = frame.get_column(name)
    if s.null_count():
        valid = s.is_not_null().to_numpy()
        return s.cast(pl.Float64).fill_null(np.nan).to_numpy(), valid
    return s.to_numpy().astype(np.float64, copy=False), None


class TelemetrySource(Protocol):
    """What streaming readers need from a run's telemetry (a file or an in-memory frame)."""

    @property
    def columns(self) -> list[str]: ...

    @property
    def units(self) -> dict[str, str]: ...

    @property
    def rates_hz(self) -> dict[str, float]: ...

    @property
    def sample_rate_hz(self) -> float: ...

    @property
    def num_rows(self) -> int: ...

    def count(self, name: str) -> int: ...

    def range(self, name: str) -> tuple[float, float]: ...

    def batches(
        self, columns: Sequence[str] | None = None, batch_rows: int = BATCH_ROWS
    ) -> Iterator[pl.DataFrame]: ...

    def frame(self, columns: Sequence[str] | None = None) -> pl.DataFrame: ...


# --------------------------------------------------------------------------- writing
class TelemetryWriter:
    """Stream float64 sample rows into a compact ``telemetry.parquet``, atomically.

    ``append(rows)`` takes the kernel's rows (``(n, len(channels))`` float64, one row per grid
    sample, columns in ``channels`` order); every ``row_group_rows`` rows become one row group.
    Nothing is visible at ``path`` until :meth:`close` renames the finished file into place
    (``path`` + ``.partial`` until then); :meth:`abort` removes the partial file.

    With ``background=True`` (the default) a full row group is encoded and compressed on a
    writer thread while the caller goes on (pyarrow releases the GIL while it compresses, so
    on a second core the kernel does not wait for the file); at most one row group is in
    flight, so memory stays at two row groups. An error on the thread is raised by the next
    :meth:`append` or by :meth:`close`.

    ``on_table`` is called with each row group once it is written (an Arrow table of the
    values as stored: float32 rounding, nulls between a slow channel's samples), on the
    writer thread when there is one; what it raises fails the write.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        channels: Sequence[ChannelFormat],
        sample_rate_hz: float,
        *,
        row_group_rows: int = ROW_GROUP_ROWS,
        compression_level: int = ZSTD_LEVEL,
        background: bool = True,
        on_table: Callable[[pa.Table], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.on_table = on_table
        self.channels = list(channels)
        self.sample_rate_hz = float(sample_rate_hz)
        self.strides = [channel_stride(c.name, c.rate_hz, sample_rate_hz) for c in self.channels]
        self.row_group_rows = int(row_group_rows)
        self.schema = telemetry_schema(self.channels, self.sample_rate_hz)
        self.rows_written = 0
        self._buffers = self._new_buffers()
        self._fill = 0
        self._tmp = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer: pq.ParquetWriter | None = pq.ParquetWriter(
            self._tmp, self.schema, **parquet_options(self.channels, compression_level)
        )
        self._pool = ThreadPoolExecutor(1, "raidsim-telemetry") if background else None
        self._pending: Future[None] | None = None

    def _new_buffers(self) -> list[NDArray[Any]]:
        return [np.empty(self.row_group_rows, dtype=DTYPES[c.dtype][1]) for c in self.channels]

    def append(self, rows: NDArray[np.float64]) -> None:
        """Add sample rows (any number; the row group is flushed when full)."""
        rows = np.asarray(rows)
        if rows.ndim != 2 or rows.shape[1] != len(self.channels):
            raise ValueError(f"rows must be (n, {len(self.channels)}), got {rows.shape}")
        start = 0
        while start < len(rows):
            take = min(len(rows) - start, self.row_group_rows - self._fill)
            part = rows[start : start + take]
            for j, buf in enumerate(self._buffers):
                buf[self._fill : self._fill + take] = part[:, j]
            self._fill += take
            start += take
            if self._fill == self.row_group_rows:
                self._flush()

    def _table(self, buffers: list[NDArray[Any]], first: int, n: int) -> pa.Table:
        g = first + np.arange(n)
        arrays = []
        for c, k, buf in zip(self.channels, self.strides, buffers, strict=True):
            mask = None if k == 1 else (g % k) != 0
            values = round_mantissa(buf[:n]) if c.dtype == "float32" else buf[:n]
            arrays.append(pa.array(values, type=DTYPES[c.dtype][0], mask=mask))
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def _write(self, buffers: list[NDArray[Any]], first: int, n: int) -> None:
        assert self._writer is not None
        table = self._table(buffers, first, n)
        self._writer.write_table(table, n)
        if self.on_table is not None:
            self.on_table(table)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # re-raises an error of the writer thread

    def _flush(self) -> None:
        n = self._fill
        if n == 0 or self._writer is None:
            return
        self._wait()
        buffers, first = self._buffers, self.rows_written
        if self._pool is not None:
            self._pending = self._pool.submit(self._write, buffers, first, n)
            self._buffers = self._new_buffers()  # the thread owns the full ones now
        else:
            self._write(buffers, first, n)
        self.rows_written += n
        self._fill = 0

    def _finish(self) -> bool:
        """Flush and close the Parquet writer (footer written); False if already closed.
        On an error the partial file is dropped."""
        if self._writer is None:
            return False
        try:
            self._flush()
            self._wait()
            self._writer.close()
        except BaseException:
            self.abort()
            raise
        self._writer = None
        self._shutdown()
        return True

    def close(self) -> Path:
        """Flush, close and rename the file into place; returns its path."""
        if self._finish():
            atomic.replace(self._tmp, self.path)
        return self.path

    def close_incomplete(self) -> Path:
        """Flush and close the file under its ``.partial`` name (a readable Parquet file
        with its footer) for a run that stopped before the finish; returns its path."""
        self._finish()
        return self._tmp

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def abort(self) -> None:
        """Drop the partial file (after an error or an interrupted run)."""
        with contextlib.suppress(BaseException):
            self._wait()
        self._shutdown()
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        self._tmp.unlink(missing_ok=True)


def parquet_options(
    channels: Sequence[ChannelFormat], compression_level: int = ZSTD_LEVEL
) -> dict[str, Any]:
    """Writer options: zstd; byte-stream-split floats; dictionary/RLE for the integers."""
    return {
        "compression": "zstd",
        "compression_level": compression_level,
        "use_dictionary": [c.name for c in channels if c.dtype.startswith("int")],
        "use_byte_stream_split": [c.name for c in channels if c.dtype.startswith("float")],
        "write_statistics": True,
    }


def write_telemetry_table(
    path: str | os.PathLike[str],
    table: pa.Table,
    channels: Sequence[ChannelFormat],
    sample_rate_hz: float,
) -> Path:
    """Write a whole table (columns ``channels``, nulls kept) in the compact layout,
    atomically (for tables made in Python: tests, fixtures, :func:`raidsim.io.runs.save_run`)."""
    target = Path(path)
    schema = telemetry_schema(channels, sample_rate_hz)
    data = table.select([c.name for c in channels]).cast(schema)
    with atomic.writing(target) as tmp:
        pq.write_table(data, tmp, row_group_size=ROW_GROUP_ROWS, **parquet_options(channels))
    return target


def telemetry_schema(channels: Sequence[ChannelFormat], sample_rate_hz: float) -> pa.Schema:
    """The Arrow schema of a compact telemetry file (units, descriptions and rates inside)."""
    fields = [
        pa.field(
            c.name,
            DTYPES[c.dtype][0],
            metadata={
                b"unit": c.unit.encode(),
                b"description": c.description.encode(),
                b"rate_hz": format(c.rate_hz, "g").encode(),
            },
        )
        for c in channels
    ]
    meta = {
        UNITS_KEY: json.dumps({c.name: c.unit for c in channels}).encode(),
        DESCRIPTIONS_KEY: json.dumps({c.name: c.description for c in channels}).encode(),
        RATES_KEY: json.dumps({c.name: c.rate_hz for c in channels}).encode(),
        SAMPLE_RATE_KEY: format(sample_rate_hz, "g").encode(),
        FORMAT_KEY: FORMAT_VERSION.encode(),
    }
    return pa.schema(fields, metadata=meta)


# --------------------------------------------------------------------------- reading
def _json_meta(meta: Mapping[bytes, bytes], key: bytes) -> dict[str, Any]:
    try:
        decoded = json.loads(meta[key].decode("utf-8")) if key in meta else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        decoded = {}
    return decoded if isinstance(decoded, dict) else {}


def units_from_schema(schema: pa.Schema) -> dict[str, str]:
    """Units from the schema key ``raidsim.units``, else per-field ``unit``, else ``""``."""
    meta = schema.metadata or {}
    units = {str(k): str(v) for k, v in _json_meta(meta, UNITS_KEY).items()}
    for f in schema:
        if f.name not in units:
            unit = (f.metadata or {}).get(b"unit", b"")
            units[f.name] = unit.decode("utf-8", errors="replace")
    return {name: units[name] for name in schema.names}


def schema_sample_rate_hz(schema: pa.Schema) -> float:
    """The grid sample rate stored in a telemetry schema's metadata (NaN if absent)."""
    meta = schema.metadata or {}
    with contextlib.suppress(ValueError):
        if SAMPLE_RATE_KEY in meta:
            return float(meta[SAMPLE_RATE_KEY].decode())
    return math.nan


class _ChannelMeta:
    """The per-channel metadata both telemetry sources share (set by their __init__)."""

    _units: dict[str, str]
    _rates: dict[str, float]
    _rate: float

    @property
    def units(self) -> dict[str, str]:
        return dict(self._units)

    @property
    def rates_hz(self) -> dict[str, float]:
        return dict(self._rates)

    @property
    def sample_rate_hz(self) -> float:
        return self._rate


class TelemetryFile(_ChannelMeta):
    """A telemetry Parquet file read lazily: metadata now, samples in streamed batches."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with pq.ParquetFile(self.path) as pf:  # the footer only (and a format-1 time column)
            self.metadata = pf.metadata
            self.schema = pf.schema_arrow
            meta = self.schema.metadata or {}
            rate = schema_sample_rate_hz(self.schema)
            have_time = "time_s" in self.schema.names and pf.num_row_groups > 0
            if not (math.isfinite(rate) and rate > 0) and have_time:
                head = pf.read_row_group(0, columns=["time_s"])
                rate = rate_from_time(head.column(0).to_numpy()[:1000])
        self._num_rows = int(self.metadata.num_rows)
        self._units = units_from_schema(self.schema)
        self._descriptions = {str(k): str(v) for k, v in _json_meta(meta, DESCRIPTIONS_KEY).items()}
        self._rate = rate
        stored = _json_meta(meta, RATES_KEY)
        rates: dict[str, float] = {}
        for f in self.schema:
            value = stored.get(f.name, (f.metadata or {}).get(b"rate_hz"))
            try:
                rates[f.name] = float(value) if value is not None else rate
            except (TypeError, ValueError):
                rates[f.name] = rate
        self._rates = rates
        self._stats: dict[str, tuple[int, float, float] | None] = {}

    # -- metadata --------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return list(self.schema.names)

    @property
    def descriptions(self) -> dict[str, str]:
        return dict(self._descriptions)

    @property
    def num_rows(self) -> int:
        return self._num_rows

    @property
    def dtypes(self) -> dict[str, str]:
        return {f.name: str(f.type) for f in self.schema}

    def _column_stats(self, name: str) -> tuple[int, float, float] | None:
        """(non-null count, min, max) from the row-group statistics, or None if missing."""
        if name in self._stats:
            return self._stats[name]
        j = self.schema.names.index(name)
        count, lo, hi = 0, math.inf, -math.inf
        result: tuple[int, float, float] | None = None
        try:
            for g in range(self.metadata.num_row_groups):
                col = self.metadata.row_group(g).column(j)
                st = col.statistics
                if st is None or st.null_count is None:
                    raise LookupError
                n_valid = col.num_values - st.null_count
                count += n_valid
                if n_valid:
                    if not st.has_min_max:
                        raise LookupError
                    lo, hi = min(lo, float(st.min)), max(hi, float(st.max))
            result = (count, lo, hi) if lo <= hi else (count, math.nan, math.nan)
        except (LookupError, TypeError, ValueError):
            result = None
        self._stats[name] = result
        return result

    def _scan(self, name: str) -> tuple[int, float, float]:
        count, lo, hi = 0, math.inf, -math.inf
        for batch in self.batches([name]):
            values, valid = column_values(batch, name)
            if valid is not None:
                values = values[valid]
            count += len(values)
            values = values[~np.isnan(values)]
            if len(values):
                lo, hi = min(lo, float(values.min())), max(hi, float(values.max()))
        if lo > hi:
            lo = hi = math.nan
        return (count, lo, hi)

    def count(self, name: str) -> int:
        """Samples of a channel (non-null rows; a NaN sample counts)."""
        st = self._column_stats(name)
        return st[0] if st is not None else self._scan(name)[0]

    def range(self, name: str) -> tuple[float, float]:
        """(min, max) of a channel, NaN when it has no samples."""
        st = self._column_stats(name)
        if st is None or any(math.isnan(v) for v in st[1:]):
            st = self._scan(name)
        return st[1], st[2]

    # -- data ------------------------------------------------------------------------
    def batches(
        self, columns: Sequence[str] | None = None, batch_rows: int = BATCH_ROWS
    ) -> Iterator[pl.DataFrame]:
        """Row batches (polars frames) of ``columns`` (default: all), in order.

        Read without pre-buffering: pyarrow's pre-buffer cache keeps every row group read
        until the reader closes, which would make memory grow with the run."""
        pf = pq.ParquetFile(self.path, pre_buffer=False)
        try:
            cols = list(columns) if columns is not None else None
            for rb in pf.iter_batches(batch_size=batch_rows, columns=cols, use_threads=True):
                frame = pl.from_arrow(rb)
                assert isinstance(frame, pl.DataFrame)
                yield frame
        finally:
            pf.close()

    def frame(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The whole table (or ``columns``) in memory: for small runs and notebooks."""
        table = pq.read_table(self.path, columns=list(columns) if columns is not None else None)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame

    def channel(self, name: str) -> pl.DataFrame:
        """``time_s`` and one channel at the channel's own rate (its non-null rows)."""
        parts = [
            b.filter(pl.col(name).is_not_null())
            for b in self.batches(["time_s", name] if name != "time_s" else ["time_s"])
        ]
        return pl.concat(parts) if parts else pl.DataFrame({"time_s": [], name: []})


class FrameTelemetry(_ChannelMeta):
    """:class:`TelemetrySource` over an in-memory frame (every channel on every row unless
    ``rates_hz`` says otherwise)."""

    def __init__(
        self,
        frame: pl.DataFrame,
        units: Mapping[str, str] | None = None,
        rates_hz: Mapping[str, float] | None = None,
        sample_rate_hz: float | None = None,
    ) -> None:
        self._frame = frame
        self._units = {c: (units or {}).get(c, "") for c in frame.columns}
        if sample_rate_hz is None:
            sample_rate_hz = (
                rate_from_time(frame["time_s"].to_numpy()) if "time_s" in frame.columns else 1.0
            )
        self._rate = float(sample_rate_hz)
        self._rates = {c: float((rates_hz or {}).get(c, self._rate)) for c in frame.columns}

    @property
    def columns(self) -> list[str]:
        return list(self._frame.columns)

    @property
    def num_rows(self) -> int:
        return self._frame.height

    def count(self, name: str) -> int:
        s = self._frame.get_column(name)
        return int(s.len() - s.null_count())

    def range(self, name: str) -> tuple[float, float]:
        s = self._frame.get_column(name).drop_nulls()
        if s.dtype.is_float():
            s = s.drop_nans()
        if s.len() == 0:
            return math.nan, math.nan
        return float(s.min()), float(s.max())  # type: ignore[arg-type]

    def batches(
        self, columns: Sequence[str] | None = None, batch_rows: int = BATCH_ROWS
    ) -> Iterator[pl.DataFrame]:
        frame = self._frame if columns is None else self._frame.select(list(columns))
        for start in range(0, frame.height, batch_rows):
            yield frame.slice(start, batch_rows)

    def frame(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        return self._frame if columns is None else self._frame.select(list(columns))
