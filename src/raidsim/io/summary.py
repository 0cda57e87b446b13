"""The stage summary: one typed record for both tiers, the ``summary.json`` writers, the
report and the CLI tables.

Both tiers build a :class:`StageSummary` (``simulate``'s :attr:`Run.summary`, the QSS
:attr:`QssResult.summary`); the writers store :meth:`StageSummary.to_json`; readers of run
folders upgrade what older versions wrote with :func:`upgrade_json` (or read a complete one
back with :meth:`StageSummary.from_json`). A summary is also a read-only mapping of its
JSON form, so ``summary["stage_time_s"]`` and ``summary.stage_time_s`` agree.

One meaning per key, units in the names (SI, km/h for speeds shown to people, ``_C`` for
degrees Celsius, ``_L`` for litres; the CLI's unit vocabulary,
:data:`raidsim.cli.options.UNIT_SUFFIXES`):

* ``jumps``: the jumps the stage definition has (both tiers); ``landings_detected``: the
  landings found in the transient telemetry (the transient only). Versions before this
  record wrote both as ``landings`` (the QSS its jumps, the transient its detections);
  :func:`upgrade_json` renames by tier.
* fields that one tier does not compute are None and left out of the JSON (the transient's
  wall time and real-time factor, the QSS's bog-downs and brake energy).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

Tier = Literal["transient", "qss"]


@dataclass(frozen=True, eq=False)
class StageSummary(Mapping[str, Any]):
    """Whole-stage figures of one run of either tier (see the module docstring)."""

    tier: Tier
    vehicle: str
    stage: str
    seed: int
    # conditions, with where each came from (raidsim.model.ambient.Conditions)
    ambient_C: float
    altitude_m: float
    headwind_mps: float
    conditions_source: dict[str, str]
    # the drive
    distance_m: float
    stage_time_s: float
    avg_speed_kmh: float
    max_speed_kmh: float
    fuel_used_kg: float
    fuel_used_L: float
    fuel_L_per_100km: float
    jumps: int
    # heat
    max_coolant_C: float
    max_oil_C: float
    max_brake_disc_C: float
    derate_time_s: float
    final_filter_loading: float
    # the car (raidsim.sim.context.context_fields)
    raidsim_version: str
    setup: dict[str, Any]
    restrictor_cap_kW: float
    thermal_limits_C: dict[str, float]
    #: where the time went (raidsim.sim.time_loss.totals)
    time_loss: dict[str, Any] | None = None
    # transient only
    landings_detected: int | None = None
    max_landing_halfshaft_torque_Nm: float | None = None
    flight_mode_false_triggers: int | None = None
    max_halfshaft_torque_Nm: float | None = None
    odometer_m: float | None = None
    sim_time_s: float | None = None
    steps: int | None = None
    wall_time_s: float | None = None
    kernel_time_s: float | None = None
    real_time_factor: float | None = None
    compile_time_s: float | None = None
    # QSS only
    brake_energy_MJ: float | None = None
    dune_crests: int | None = None
    bog_downs: int | None = None
    bog_time_s: float | None = None
    #: where the fuel load runs out before a refuel point or the finish, km (never a finish)
    runs_dry_km: float | None = None
    min_derate: float | None = None
    min_cap_factor: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``summary.json`` object: every field that has a value (None left out)."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StageSummary:
        """A summary from its JSON object (:func:`upgrade_json` applied first, so older
        keys are renamed); keys that are no field are ignored. Raises TypeError naming a
        required field the object lacks (an older file may lack newer fields: readers of
        run folders keep the upgraded mapping instead, :func:`upgrade_json`)."""
        data = upgrade_json(data)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_values(self, **values: Any) -> StageSummary:
        """A copy with some fields set (the runner adds its time loss and compile time)."""
        return replace(self, **values)

    # a read-only mapping of the JSON form (the older dict interface)
    def __getitem__(self, key: str) -> Any:
        if key in _FIELD_NAMES:
            value = getattr(self, key)
            if value is not None:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_json())

    def __len__(self) -> int:
        return len(self.to_json())


_FIELD_NAMES = frozenset(f.name for f in fields(StageSummary))
#: fields only the transient computes: a summary without ``tier`` that has one of them was
#: written by the transient
_TRANSIENT_ONLY = ("steps", "real_time_factor", "sim_time_s", "max_halfshaft_torque_Nm")


def upgrade_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """A summary object as this version writes it, from one written by any version:
    ``tier`` inferred where missing (transient-only fields present), the old ``landings``
    renamed by tier (the transient's detections -> ``landings_detected``, the QSS's jumps
    -> ``jumps``). Other keys pass through unchanged."""
    out = dict(data)
    if "tier" not in out and any(k in out for k in ("stage_time_s", "distance_m")):
        out["tier"] = "transient" if any(k in out for k in _TRANSIENT_ONLY) else "qss"
    if "landings" in out:
        old = out.pop("landings")
        key = "landings_detected" if out.get("tier") == "transient" else "jumps"
        out.setdefault(key, old)
    return out
