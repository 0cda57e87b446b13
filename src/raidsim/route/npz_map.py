"""``.npz`` files whose arrays are read by mapping the file, not by copying it.

NumPy's ``np.load`` of an ``.npz`` copies every array out of the zip (in 256 kB chunks),
and ``.npz`` members lie at whatever byte the zip headers leave them. A built stage is
some 45 MB per 300 km, most of it wheel tracks at 0.25 m that a QSS estimate never reads.

:func:`save` writes an ordinary, uncompressed ``.npz`` (``np.load`` reads it as ever) whose
array data start on a 64-byte boundary: each member's local header carries a padding
extra field (id ``0xD935``, the one Android's zipalign uses). :func:`load` maps the file
copy-on-write (``np.memmap`` mode ``"c"``) and returns plain, aligned, writable ndarrays
that view it: only the pages an array's user touches are read, and a write stays in the
process. A member that is compressed, or not aligned for its dtype (a file written by
``np.savez``), is read and copied as ``np.load`` would.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.lib import format as npy_format

__all__ = ["ALIGN", "load", "save"]

#: byte boundary of every array's data in a file from :func:`save`
ALIGN = 64
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zip local file header, 30 bytes
_PAD_ID = 0xD935


def save(fileobj: IO[bytes], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed ``.npz`` to a seekable binary ``fileobj``, the
    data of each aligned to :data:`ALIGN` bytes in the file."""
    with zipfile.ZipFile(fileobj, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for name, array in arrays.items():
            buf = io.BytesIO()
            npy_format.write_array(buf, np.asanyarray(array), allow_pickle=False)
            payload = buf.getvalue()
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            start = fileobj.tell() + _LOCAL_HEADER.size + len(info.filename.encode())
            # the npy header is padded to 64 bytes: align the member, the data follows
            pad = (-(start + 4)) % ALIGN
            info.extra = struct.pack("<HH", _PAD_ID, pad) + b"\0" * pad
            zf.writestr(info, payload)


def _member(
    fh: IO[bytes], info: zipfile.ZipInfo
) -> tuple[int, tuple[int, ...], bool, np.dtype[Any]] | None:
    """(data offset, shape, fortran order, dtype) of a stored ``.npy`` member, else None."""
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    fh.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(fh.read(_LOCAL_HEADER.size))
    if fields[0] != b"PK\x03\x04":
        return None
    fh.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
    version = npy_format.read_magic(fh)
    if version == (1, 0):
        shape, fortran, dtype = npy_format.read_array_header_1_0(fh)
    elif version == (2, 0):
        shape, fortran, dtype = npy_format.read_array_header_2_0(fh)
    else:
        return None
    if dtype.hasobject:
        return None
    return fh.tell(), shape, fortran, dtype


def load(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` at ``path`` by name (``.npy`` dropped): views of a
    copy-on-write map where the member is stored and aligned, else copies. Raises what
    ``np.load`` and ``zipfile`` raise on a damaged file (OSError, ValueError,
    zipfile.BadZipFile, EOFError)."""
    out: dict[str, np.ndarray] = {}
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        size = fh.seek(0, io.SEEK_END)
        mapped = np.memmap(fh, dtype=np.uint8, mode="c") if size else None
        for info in zf.infolist():
            name = info.filename.removesuffix(".npy")
            where = _member(fh, info)
            if where is not None and mapped is not None:
                offset, shape, fortran, dtype = where
                count = int(np.prod(shape, dtype=np.int64))
                end = offset + count * dtype.itemsize
                if end > size:
                    raise ValueError(f"{path}: member {info.filename} runs past the file")
                if offset % dtype.alignment == 0 and count > 0:
                    view = np.ndarray(
                        shape, dtype, buffer=mapped, offset=offset, order="F" if fortran else "C"
                    )
                    out[name] = view
                    continue
            with zf.open(info) as member:
                out[name] = npy_format.read_array(member, allow_pickle=False)
    return out
