"""Check a vehicle spec against a rule set (``raidsim check-regs``).

Each check is a pure function of the spec and the rule's numbers and returns a
:class:`RuleResult` (PASS, FAIL, or WARN for a failed ``severity = "warn"`` rule). The
restrictor plausibility check converts the restrictor to power with the choked-flow cap of
physics.md §1 at 25 C, 101.325 kPa (``raidsim.model.derived.restrictor_cap_W``) and divides
by the start mass (``Vehicle.total_mass_kg``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from raidsim.model.ambient import Ambient
from raidsim.model.derived import restrictor_cap_W
from raidsim.model.vehicle import Vehicle
from raidsim.regs.rules import Rule, RuleSet

M_PER_INCH = 0.0254
#: rounding allowance for a nominal size (35 in = 0.889 m; presets round the radius)
SIZE_TOLERANCE_IN = 0.25


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    ok: bool
    value: str
    requirement: str

    @property
    def status(self) -> str:
        if self.ok:
            return "PASS"
        return "FAIL" if self.rule.severity == "fail" else "WARN"


def _need(value: float | int | str | None, rule: Rule, key: str) -> float:
    if value is None:
        raise ValueError(f"rule '{rule.id}' needs '{key}'")
    return float(value)


def _speed_limiter(v: Vehicle, r: Rule) -> RuleResult:
    lim = v.limiter.speed_limit_kmh
    cap = _need(r.max_kmh, r, "max_kmh")
    if lim is None:
        return RuleResult(r, False, "no limiter", f"<= {cap:g} km/h")
    return RuleResult(r, lim <= cap, f"{lim:g} km/h", f"<= {cap:g} km/h")


def _restrictor_present(v: Vehicle, r: Rule) -> RuleResult:
    rs = v.restrictor
    if rs.model == "none":
        return RuleResult(r, False, "none", "fitted")
    return RuleResult(r, True, f"{rs.count} x {rs.diameter_mm:g} mm", "fitted")


def _restrictor_power_to_weight(v: Vehicle, r: Rule) -> RuleResult:
    lo, hi = _need(r.min_W_per_kg, r, "min_W_per_kg"), _need(r.max_W_per_kg, r, "max_W_per_kg")
    req = f"{lo:g}-{hi:g} W/kg"
    p = restrictor_cap_W(v, Ambient(temp_C=25.0))
    if not math.isfinite(p):
        return RuleResult(r, False, "no restrictor (unlimited)", req)
    w_per_kg = p / v.total_mass_kg
    value = f"{p / 1000:.0f} kW / {v.total_mass_kg:.0f} kg = {w_per_kg:.1f} W/kg"
    return RuleResult(r, lo <= w_per_kg <= hi, value, req)


def _category(v: Vehicle, r: Rule) -> RuleResult:
    want = r.category or ""
    return RuleResult(r, v.category == want, v.category, want)


def _tank(v: Vehicle, r: Rule) -> RuleResult:
    need = _need(r.min_L, r, "min_L")
    cap = v.fuel.tank_capacity_L
    return RuleResult(r, cap >= need, f"{cap:g} L", f">= {need:g} L")


def _spares(v: Vehicle, r: Rule) -> RuleResult:
    need = int(_need(r.min_count, r, "min_count"))
    n = v.chassis.spare_wheels
    return RuleResult(r, n >= need, str(n), f">= {need}")


def _weight(v: Vehicle, r: Rule) -> RuleResult:
    need = _need(r.min_kg, r, "min_kg")
    m = v.chassis.empty_mass_kg
    return RuleResult(r, m >= need, f"{m:g} kg", f">= {need:g} kg")


def _tyre(v: Vehicle, r: Rule) -> RuleResult:
    cap = _need(r.max_diameter_in, r, "max_diameter_in")
    d_in = 2.0 * v.tyre.unloaded_radius_m / M_PER_INCH
    return RuleResult(r, d_in <= cap + SIZE_TOLERANCE_IN, f"{d_in:.1f} in", f"<= {cap:g} in")


CHECKS: dict[str, Callable[[Vehicle, Rule], RuleResult]] = {
    "speed_limiter": _speed_limiter,
    "restrictor_present": _restrictor_present,
    "restrictor_power_to_weight": _restrictor_power_to_weight,
    "category": _category,
    "tank_capacity": _tank,
    "spare_wheels": _spares,
    "minimum_weight": _weight,
    "tyre_size": _tyre,
}


def check_vehicle(vehicle: Vehicle, rules: RuleSet) -> list[RuleResult]:
    """Run every rule of the set on the vehicle, in the set's order."""
    return [CHECKS[rule.check](vehicle, rule) for rule in rules.rule]


def failed(results: list[RuleResult]) -> list[RuleResult]:
    """Results that make check-regs exit 1 (severity 'fail' and not met)."""
    return [r for r in results if r.status == "FAIL"]
