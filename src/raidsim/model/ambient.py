"""Ambient conditions at the stage: temperature, pressure (ISA from altitude), wind."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from raidsim.units import G_MPS2 as G_MPS2  # re-exported (standard gravity, raidsim.units)

#: Specific gas constant of dry air, J/(kg K) (physics.md §1.2)
R_AIR_J_PER_KGK = 287.05
#: ISA sea-level pressure, Pa, sea-level temperature, K, temperature lapse rate, K/m
ISA_P0_PA = 101325.0
ISA_T0_K = 288.15
ISA_LAPSE_K_PER_M = 0.0065


def isa_pressure_Pa(altitude_m: float) -> float:
    """ISA troposphere pressure: p = p0 (1 - L h / T0)^(g/(R L)) (ISO 2533)."""
    return ISA_P0_PA * (1.0 - ISA_LAPSE_K_PER_M * altitude_m / ISA_T0_K) ** (
        G_MPS2 / (R_AIR_J_PER_KGK * ISA_LAPSE_K_PER_M)
    )


class Ambient(BaseModel):
    """Weather at the stage. Pressure defaults to ISA at ``altitude_m``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    temp_C: float = Field(default=35.0, ge=-30.0, le=60.0)
    altitude_m: float = Field(default=0.0, ge=-400.0, le=5000.0)
    pressure_Pa: float | None = Field(default=None, gt=40000.0, le=110000.0)
    headwind_mps: float = Field(default=0.0, ge=-40.0, le=40.0)

    @property
    def temp_K(self) -> float:
        return self.temp_C + 273.15

    @property
    def p_Pa(self) -> float:
        return (
            self.pressure_Pa if self.pressure_Pa is not None else isa_pressure_Pa(self.altitude_m)
        )

    @property
    def air_density_kg_per_m3(self) -> float:
        """Ideal gas: rho = p / (R T)."""
        return self.p_Pa / (R_AIR_J_PER_KGK * self.temp_K)

    def describe(self) -> str:
        return (
            f"{self.temp_C:.0f} C, {self.p_Pa / 1000:.1f} kPa, rho {self.air_density_kg_per_m3:.3f}"
        )
