"""A content digest of a built stage, cheap for a stage read from (or written to) the
stage cache.

:func:`stage_digest` hashes everything a :class:`~raidsim.route.stage.Stage` holds: its
name, definition, conditions, the centre line and every array. Hashing the arrays of the
14 Dakar specials (some 650 MB) would take most of a second, so the arrays of a stage the
stage cache (:mod:`raidsim.route.stage_cache`) has just read or written are *remembered*:
their digest is the cache file's name (the sha256 of the definition and the route code)
and the field, valid for as long as that very array object lives (an identity registry
with weak references: a new or replaced array is hashed again). Stage arrays are never
written in place (``Stage`` is frozen; nothing in raidsim assigns into them), which is
what lets an identity stand for a content.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import fields
from typing import Any

import numpy as np

from raidsim.route.stage import Stage

__all__ = ["array_digest", "remember", "stage_digest"]

#: id(array) -> (weak reference to it, its digest)
_KNOWN: dict[int, tuple[weakref.ref[np.ndarray], str]] = {}
_CENTRELINE = ("s_m", "x_m", "y_m", "z_m", "heading_rad", "curvature_1pm")


def _forget(key: int) -> Any:
    def drop(_: object) -> None:
        _KNOWN.pop(key, None)

    return drop


def remember(stage: Stage, token: str) -> None:
    """Record that the arrays of ``stage`` are those of the stage cache file ``token``."""
    for name, array in _arrays(stage):
        key = id(array)
        _KNOWN[key] = (weakref.ref(array, _forget(key)), f"{token}:{name}")


def array_digest(array: np.ndarray) -> str:
    """The remembered digest of ``array``, else sha256 of its dtype, shape and bytes."""
    entry = _KNOWN.get(id(array))
    if entry is not None and entry[0]() is array:
        return entry[1]
    h = hashlib.sha256(f"{array.dtype.str} {array.shape}".encode())
    h.update(np.ascontiguousarray(array).data)
    return h.hexdigest()


def _arrays(stage: Stage) -> list[tuple[str, np.ndarray]]:
    out = [(f"cl_{k}", getattr(stage.centreline, k)) for k in _CENTRELINE]
    for f in fields(stage):
        value = getattr(stage, f.name)
        if isinstance(value, np.ndarray):
            out.append((f.name, value))
    return out


def stage_digest(stage: Stage) -> str:
    """sha256 over the stage's name, definition, conditions, centre line and arrays."""
    h = hashlib.sha256(stage.name.encode())
    h.update(stage.definition.model_dump_json().encode())
    h.update(repr(stage.conditions).encode())
    h.update(repr(stage.centreline.has_elevation).encode())
    scalars = [
        f"{f.name}={getattr(stage, f.name)!r}"
        for f in fields(stage)
        if f.name not in ("name", "definition", "centreline", "conditions")
        and not isinstance(getattr(stage, f.name), np.ndarray)
    ]
    h.update(";".join(scalars).encode())
    for name, array in _arrays(stage):
        h.update(f"{name}\0{array_digest(array)}\0".encode())
    return h.hexdigest()
