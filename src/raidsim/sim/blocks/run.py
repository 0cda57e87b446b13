"""The run's own blocks: time steps (Settings), the ambient air (Ambient) and the stage
run (mode, end, time limit, terrain step, rock seed)."""

from __future__ import annotations

from raidsim.route.stage import TERRAIN_STEP_M
from raidsim.sim.blocks.base import PackInputs, ParamBlock, SlotWriter
from raidsim.sim.modes import MODE_DRIVER
from raidsim.units import G_MPS2


def pack_timing(w: SlotWriter, x: PackInputs) -> None:
    """Settings: vehicle, sample, controller and thermal steps (physics.md §10.1)."""
    settings = x.settings
    w["DT"] = settings.dt_s
    w["G"] = G_MPS2
    w["SAMPLE_EVERY"] = max(1, int(round(1.0 / (settings.sample_rate_hz * settings.dt_s))))
    w["CTRL_DT"] = settings.controller_dt_s
    w["TH_DT"] = settings.thermal_dt_s


TIMING = ParamBlock(
    "timing",
    (
        ("DT", 1),
        ("G", 1),
        ("SAMPLE_EVERY", 1),
        ("CTRL_DT", 1),
        ("TH_DT", 1),
    ),
    pack_timing,
)


def pack_ambient(w: SlotWriter, x: PackInputs) -> None:
    """Ambient: air temperature, density, pressure for the thermal models (physics.md §1.2, §7)."""
    ambient = x.ambient
    w["T_AIR"] = ambient.temp_C
    w["RHO_AIR"] = ambient.air_density_kg_per_m3
    w["P_AMB"] = ambient.p_Pa


AMBIENT = ParamBlock("ambient", (("T_AIR", 1), ("RHO_AIR", 1), ("P_AMB", 1)), pack_ambient)


def pack_run(w: SlotWriter, x: PackInputs) -> None:
    """Settings + Stage: mode, stage end, time limit, terrain step, rock seed (physics.md §10.1)."""
    settings, stage = x.settings, x.stage
    w["MODE"] = float(MODE_DRIVER)
    w["STAGE_END"] = stage.length_m - 1.0
    w["MAX_TIME"] = settings.max_time_s if settings.max_time_s else 0.12 * stage.length_m + 120.0
    w["TERRAIN_DS"] = TERRAIN_STEP_M
    w["ROCK_SEED"] = float(stage.definition.seed % 1_000_003)


RUN = ParamBlock(
    "run",
    (
        ("MODE", 1),  # kernel mode, see layout.MODES
        ("STAGE_END", 1),
        ("MAX_TIME", 1),
        ("TERRAIN_DS", 1),
        ("ROCK_SEED", 1),
    ),
    pack_run,
)
