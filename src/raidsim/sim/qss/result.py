"""A QSS estimate: per-metre arrays, a summary, and their Parquet form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

import raidsim.atomic as atomic
from raidsim.io.summary import StageSummary
from raidsim.sim.qss.heat import ThermalTrace
from raidsim.sim.time_loss import LimitTrace

F64 = NDArray[np.float64]


#: units of the per-metre columns written by :meth:`QssResult.to_parquet`, in the
#: telemetry channels' vocabulary (:data:`raidsim.sim.layout.CHANNELS`: ``C`` for °C)
COLUMNS = {
    "distance_m": "m",
    "speed_mps": "m/s",
    "target_speed_mps": "m/s",
    "time_s": "s",
    "gear": "1",
    "fuel_used_kg": "kg",
    "engine_power_kW": "kW",
    "coolant_C": "C",
    "oil_C": "C",
    "brake_disc_max_C": "C",
    "filter_loading": "1",
    "derate": "1",
}


@dataclass
class QssResult:
    """A QSS estimate: per-metre arrays and a summary."""

    s_m: F64
    speed_mps: F64
    target_speed_mps: F64
    time_s: F64
    gear: F64
    fuel_used_kg: F64
    engine_power_kW: F64
    summary: StageSummary
    #: slow states per metre (coolant, oil, discs, filter, derate); None if not computed
    heat: ThermalTrace | None = None
    #: per metre, what bound the speed, with fuel and heat (:mod:`raidsim.sim.time_loss`)
    limits: LimitTrace | None = None

    def columns(self) -> dict[str, F64]:
        cols = {
            "distance_m": self.s_m,
            "speed_mps": self.speed_mps,
            "target_speed_mps": self.target_speed_mps,
            "time_s": self.time_s,
            "gear": self.gear,
            "fuel_used_kg": self.fuel_used_kg,
            "engine_power_kW": self.engine_power_kW,
        }
        if self.heat is not None:
            cols["coolant_C"] = self.heat.coolant_C
            cols["oil_C"] = self.heat.oil_C
            cols["brake_disc_max_C"] = self.heat.disc_max_C
            cols["filter_loading"] = self.heat.filter_loading
            cols["derate"] = self.heat.derate
        return cols

    def to_parquet(self, path: Path | str) -> Path:
        """Write the per-metre profile (units in the schema metadata; summary as JSON
        metadata; the binding limit's code as ``limit``), to a temporary file renamed
        into place."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        cols = self.columns()
        fields = [
            pa.field(name, pa.float64(), metadata={b"unit": COLUMNS[name].encode()})
            for name in cols
        ]
        meta = {
            b"raidsim.units": json.dumps({k: COLUMNS[k] for k in cols}).encode(),
            b"raidsim.summary": json.dumps(self.summary.to_json()).encode(),
        }
        schema = pa.schema(fields, metadata=meta)
        table = pa.Table.from_arrays([pa.array(a) for a in cols.values()], schema=schema)
        if self.limits is not None and len(self.limits.limit) == table.num_rows:
            # what bound the speed per metre (raidsim.control.limits.Limit codes)
            field_ = pa.field("limit", pa.int8(), metadata={b"unit": b"1"})
            table = table.append_column(field_, pa.array(self.limits.limit))
        with atomic.writing(path) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        return path
