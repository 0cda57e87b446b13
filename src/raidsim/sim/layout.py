"""Named layout of the transient model's flat arrays: state, parameters, channels.

The Numba kernel and the Python writers both read their indices from here; nothing
else in raidsim uses a bare positional index into these arrays.

* State ``S`` (float64): body pose and velocities, unsprung heights, wheel spins,
  driveline, engine, controller and bookkeeping states.
* Parameters ``P`` (float64): every number the kernel needs, flattened from the
  vehicle spec, ambient and settings by :mod:`raidsim.sim.pack`: one block of slots per
  subsystem, declared beside its packer (:mod:`raidsim.sim.blocks`), strung together here.
* Channels: one column per telemetry signal with its unit and description.

Wheel order everywhere: front-left, front-right, rear-left, rear-right.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from raidsim.cachekey import PACKAGE_ROOT, compute_source_digest
from raidsim.model.surfaces import N_SURF, SURFACE_CODE, SURFACES  # noqa: F401 (re-exported)
from raidsim.sim.blocks import BLOCKS, N_GEARS_MAX, N_RC, N_TABLE  # noqa: F401 (re-exported)
from raidsim.sim.modes import (  # noqa: F401 (re-exported; generated into indices.py)
    MODE,
    MODE_DRIVER,
    MODE_HELD,
    MODE_OPEN_LOOP,
    MODE_SPEED_HOLD,
)

WHEELS = ("fl", "fr", "rl", "rr")
N_WHEELS = 4


def _allocate(spec: list[tuple[str, int]]) -> tuple[dict[str, int], int]:
    offsets: dict[str, int] = {}
    k = 0
    for name, n in spec:
        if name in offsets:
            raise ValueError(f"layout slot {name} is declared twice")
        offsets[name] = k
        k += n
    return offsets, k


# ----------------------------------------------------------------------------- state
_STATE_SPEC: list[tuple[str, int]] = [
    ("T", 1),  # simulated time, s
    ("X", 1),
    ("Y", 1),
    ("Z", 1),  # sprung-mass CG, world, m
    ("PHI", 1),
    ("THETA", 1),
    ("PSI", 1),  # roll, pitch, yaw (ZYX Euler), rad
    ("VX", 1),
    ("VY", 1),
    ("VZ", 1),  # CG velocity, world frame, m/s
    ("P", 1),
    ("Q", 1),
    ("R", 1),  # body angular rates about body x, y, z, rad/s
    ("ZU", 4),  # unsprung (hub) heights, world, m
    ("WU", 4),  # unsprung vertical velocities, m/s
    ("OMEGA", 4),  # wheel spin speeds, rad/s (+ = rolling forward)
    ("OMEGA_SG", 4),  # differential side-gear speeds, wheel-referred, rad/s
    ("TWIST", 4),  # halfshaft twist (side gear - wheel), rad
    ("OMEGA_E", 1),  # engine + impeller speed, rad/s
    ("OMEGA_T", 1),  # turbine (gearbox input) speed, rad/s
    ("BOOST", 1),  # boost state 0..1 (turbo lag, first order)
    ("GEAR", 1),  # engaged gear 1..n (0 = neutral)
    ("SHIFT_TIMER", 1),  # time left in the current shift, s
    ("TIME_IN_GEAR", 1),  # s
    ("LOCKUP", 1),  # lock-up clutch: 0 open/slipping, 1 locked
    ("LOCKUP_CMD", 1),  # TCU command 0/1
    ("STEER", 1),  # bicycle road-wheel angle, rad
    ("THROTTLE", 1),
    ("BRAKE", 1),  # driver pedals 0..1
    ("SPEED_INT", 1),  # driver speed-error integral, m
    ("ROUTE_IDX", 1),  # index of the route segment under the CG
    ("S_ROUTE", 1),  # distance along the route of the CG, m
    ("N_ROUTE", 1),  # lateral offset of the CG from the centre line (+ left), m
    ("ODOMETER", 1),  # distance travelled over ground, m
    ("FUEL_USED", 1),  # kg
    ("E_DISSIPATED", 1),  # suspension + tyre damping + bump-stop dissipation, J
    ("E_DRIVE", 1),  # work done by halfshafts on wheels, J
    ("FIRST_STEP", 1),  # 1 until the leapfrog half-kick start has run
    ("CTRL_TIMER", 1),  # time since the last controller update, s
    ("STUCK_TIME", 1),  # time spent below walking pace, s
    ("SF_MAG", 1),  # last IMU specific-force magnitude, m/s^2
    ("FM_STATE", 1),  # Flight Mode: 0 ground, 1 airborne, 2 landing ramp-in
    ("FM_IMU_F", 1),  # low-pass filtered specific force, m/s^2
    ("FM_IMU_T", 1),  # time the filtered specific force has been below threshold, s
    ("FM_RAMP_T", 1),  # time since touchdown in the ramp-in, s
    ("FM_HUB_F", 4),  # the hub accelerometers' last vertical specific force, m/s^2
    ("FM_HANG_T", 1),  # time no tyre has carried load by the ECU's estimate, s
    ("HS_PEAK", 4),  # peak |halfshaft torque| since the last sample, N m
    ("T_COOLANT", 1),
    ("T_OIL", 1),  # engine coolant and transmission oil nodes, C
    ("T_DISC", 4),  # brake disc temperatures, C
    ("FILTER_LOAD", 1),  # sand filter loading index (0 clean, 1 service limit)
    ("FAN_DUTY", 1),
    ("DERATE", 1),
    ("CAP_FACTOR", 1),  # fans, ECU derate, p0 ratio
    ("THERMAL_TIMER", 1),  # time since the last thermal step, s
    ("ACC_FUEL", 1),
    ("ACC_LOAD", 1),
    ("ACC_SLIP", 1),  # accumulators over the thermal step
    ("ACC_BRAKE", 4),  # brake friction energy per wheel over the thermal step, J
    ("DERATE_TIME", 1),  # time with derate < 1, s
    ("MU_PAD", 4),  # pad friction at the current disc temperature (thermal rate)
    ("FAN_LOAD_W", 1),  # electrical fan power drawn from the engine via the alternator, W
    ("FM_FREE_T", 1),  # time all wheels have carried no road torque, s
    ("ROAD_TORQUE", 4),  # Flight Mode's estimate of each wheel's road torque (filtered), N m
    # mass properties as fuel burns (the parameters of the same names hold the values
    # at the start line): fuel leaves the sprung mass from the tank
    ("M_TOTAL", 1),
    ("M_SPRUNG", 1),  # kg
    ("IYY", 1),
    ("IZZ", 1),  # pitch and yaw inertia, kg m^2
    ("CX", 4),  # hub x from the sprung CG, body frame, m
    ("TANK_X", 1),  # fuel tank x from the sprung CG, m
    ("CREW_PACE", 1),  # the crew's pace factor on the speed plan (1 = full)
    ("HEADING_ERR_T", 1),  # time the travel direction has been off the route's, s
    ("PROGRESS_S", 1),
    ("PROGRESS_T", 1),  # route distance and time at the last progress check, m, s
    ("LOST_CONTROL", 1),  # why the run stopped out of control (LOST_CONTROL_CAUSES)
    ("AIR_T", 1),  # time with no tyre on the ground, s
    ("LAST_AIR_T", 1),  # length of the last flight, fading at 1 s/s after touchdown, s
    ("LAUNCH", 1),  # 1 while launch control's launch runs (staged start to the first lift)
]
STATE, N_STATE = _allocate(_STATE_SPEC)

# ------------------------------------------------------------------------- parameters
#: the layout's own slot (the fingerprint the kernel checks), then every subsystem's block
#: in order (:data:`raidsim.sim.blocks.BLOCKS`: each declared beside its packer)
_PARAM_SPEC: list[tuple[str, int]] = [("LAYOUT_HASH", 1)] + [
    slot for block in BLOCKS for slot in block.slots
]
PARAM, N_PARAM = _allocate(_PARAM_SPEC)
#: number of float64 values of each parameter
PARAM_SIZE: dict[str, int] = dict(_PARAM_SPEC)

# ------------------------------------------------------------------------- channels


@dataclass(frozen=True)
class Channel:
    """One telemetry channel: name (SI suffix), unit, description, and how the writer stores
    it in ``telemetry.parquet`` (docs/design.md "Outputs").

    ``rate_hz``: the channel's stored sample rate; ``None`` is the run's sample rate (100 Hz
    by default, ``Settings.sample_rate_hz``), :data:`SLOW_HZ` marks the thermal and fuel
    states that the kernel updates every 0.1 s. ``dtype``: the stored type, ``float32``
    unless the channel needs more (time and positions: ``float64``) or holds small integers
    (gear, codes, counts: ``int8``). The kernel always computes and samples every channel
    in float64 at the run's rate; only the writer compacts.
    """

    #: the rate of the slow (thermal, fuel, mass) channels, Hz
    SLOW_HZ: ClassVar[float] = 10.0

    name: str
    unit: str
    description: str
    rate_hz: float | None = None
    dtype: str = "float32"

    @property
    def slow(self) -> bool:
        """Stored below the run's sample rate by default."""
        return self.rate_hz is not None


#: the unit vocabulary of the telemetry: a channel-name suffix -> its unit string
UNIT_OF_SUFFIX = {"Nm": "N m", "radps": "rad/s", "N": "N", "m": "m", "": "1"}


def _wheel_channels(stem: str, suffix: str, description: str) -> list[Channel]:
    """Four channels ``stem_<wheel>_<suffix>`` (name suffix as in the other names, unit
    string from :data:`UNIT_OF_SUFFIX`)."""
    unit = UNIT_OF_SUFFIX[suffix]
    return [
        Channel(f"{stem}_{w}_{suffix}" if suffix else f"{stem}_{w}", unit, f"{description} ({w})")
        for w in WHEELS
    ]


CHANNELS: tuple[Channel, ...] = tuple(
    [
        Channel("time_s", "s", "simulated time", dtype="float64"),
        Channel(
            "distance_m", "m", "distance along the stage route (CG projection)", dtype="float64"
        ),
        Channel("odometer_m", "m", "distance travelled over ground", dtype="float64"),
        Channel("x_m", "m", "CG east in the stage frame", dtype="float64"),
        Channel("y_m", "m", "CG north in the stage frame", dtype="float64"),
        Channel("z_m", "m", "CG height", dtype="float64"),
        Channel("lateral_offset_m", "m", "CG offset from the route centre line, + left"),
        Channel("speed_mps", "m/s", "horizontal ground speed of the CG"),
        Channel("target_speed_mps", "m/s", "driver's speed target"),
        Channel("vertical_speed_mps", "m/s", "CG vertical speed"),
        Channel("ax_mps2", "m/s^2", "longitudinal acceleration (horizontal, heading frame)"),
        Channel("ay_mps2", "m/s^2", "lateral acceleration (horizontal, heading frame)"),
        Channel("specific_force_z_mps2", "m/s^2", "IMU vertical specific force (1 g at rest)"),
        Channel("roll_rad", "rad", "body roll"),
        Channel("pitch_rad", "rad", "body pitch (+ = nose down)"),
        Channel("yaw_rad", "rad", "body yaw"),
        Channel("yaw_rate_radps", "rad/s", "body yaw rate"),
        Channel("steer_rad", "rad", "bicycle road-wheel steer angle"),
        Channel("throttle", "1", "driver throttle 0..1"),
        Channel("brake", "1", "driver brake 0..1"),
        Channel("gear", "1", "engaged gear (0 neutral)", dtype="int8"),
        Channel("engine_speed_rpm", "rpm", "engine speed"),
        Channel("turbine_speed_rpm", "rpm", "torque converter turbine speed"),
        Channel("engine_torque_Nm", "N m", "engine brake torque delivered"),
        Channel("engine_power_kW", "kW", "engine brake power"),
        Channel("boost", "1", "boost state 0..1"),
        Channel("lockup", "1", "lock-up clutch locked (1) or open (0)", dtype="int8"),
        Channel("surface", "1", "surface class code under the CG", dtype="int8"),
        Channel("fuel_used_kg", "kg", "fuel burnt since the start", rate_hz=Channel.SLOW_HZ),
        Channel("energy_dissipated_J", "J", "suspension and tyre damping dissipation"),
        Channel("wheels_in_contact", "1", "number of tyres touching the ground", dtype="int8"),
        Channel(
            "airborne_truth", "1", "1 when no tyre touches the ground (model truth)", dtype="int8"
        ),
        Channel("coolant_C", "C", "engine coolant temperature", rate_hz=Channel.SLOW_HZ),
        Channel("oil_C", "C", "transmission oil temperature", rate_hz=Channel.SLOW_HZ),
        Channel("fan_duty", "1", "radiator fan duty 0..1", rate_hz=Channel.SLOW_HZ),
        Channel(
            "filter_loading",
            "1",
            "sand filter loading index (1 = service limit)",
            rate_hz=Channel.SLOW_HZ,
        ),
        Channel(
            "derate_factor", "1", "ECU torque derate (1 = full torque)", rate_hz=Channel.SLOW_HZ
        ),
        Channel("fuel_L", "L", "fuel on board", rate_hz=Channel.SLOW_HZ),
        Channel("mass_kg", "kg", "vehicle mass (falls as fuel burns)", rate_hz=Channel.SLOW_HZ),
        Channel(
            "flight_mode_state", "1", "Flight Mode: 0 ground, 1 airborne, 2 ramp-in", dtype="int8"
        ),
    ]
    + _wheel_channels("wheel_speed", "radps", "wheel spin speed")
    + _wheel_channels("halfshaft_torque", "Nm", "halfshaft torque")
    + _wheel_channels("halfshaft_torque_peak", "Nm", "peak |halfshaft torque| since last sample")
    + [
        Channel(f"brake_disc_C_{w}", "C", f"brake disc temperature ({w})", rate_hz=Channel.SLOW_HZ)
        for w in WHEELS
    ]
    + _wheel_channels("tyre_load", "N", "tyre normal load")
    + _wheel_channels("tyre_fx", "N", "tyre longitudinal force")
    + _wheel_channels("tyre_fy", "N", "tyre lateral force")
    + _wheel_channels("slip_ratio", "", "longitudinal slip")
    + _wheel_channels("suspension_travel", "m", "suspension compression from ride height")
)
CH = {c.name: i for i, c in enumerate(CHANNELS)}
N_CH = len(CHANNELS)
CHANNEL_NAMES = tuple(c.name for c in CHANNELS)

# Status codes returned by the kernel
STATUS_RUNNING = 0
STATUS_FINISHED = 1
STATUS_DIVERGED = 2
STATUS_TIMEOUT = 3
STATUS_STUCK = 4
STATUS_LAYOUT_MISMATCH = 5
STATUS_LOST_CONTROL = 6
# Kernel modes (PARAM["MODE"]): raidsim.sim.modes, re-exported above.
#: what each kernel mode means
MODES = {
    MODE_DRIVER: "driver: steering, pedals and TCU (stage runs)",
    MODE_OPEN_LOOP: "open loop: pedals and steering held as set in the state, TCU shifts",
    MODE_HELD: "held: pedals, steering and gear held as set in the state",
    MODE_SPEED_HOLD: "speed hold: the driver's PI holds the plan speed, steering fixed, TCU shifts",
}
#: LOST_CONTROL state codes: why a run was stopped as out of control
LOST_CONTROL_CAUSES = {
    1: "left the route",
    2: "travelling against the route or spinning",
    3: "no progress along the route",
}
STATUS = {
    "RUNNING": STATUS_RUNNING,
    "FINISHED": STATUS_FINISHED,
    "DIVERGED": STATUS_DIVERGED,
    "TIMEOUT": STATUS_TIMEOUT,
    "STUCK": STATUS_STUCK,
    "LAYOUT_MISMATCH": STATUS_LAYOUT_MISMATCH,
    "LOST_CONTROL": STATUS_LOST_CONTROL,
}


#: the sources compiled into the Numba kernels (relative to the package root)
KERNEL_SOURCES = (
    "sim/transient",
    "sim/thermal.py",
    "sim/jit.py",
    "sim/qss",
    "physics",
    "control",
)


def kernel_source_digest(root: Path | None = None) -> str:
    """:func:`raidsim.cachekey.source_digest` of the kernels' source files under the
    package ``root``. Numba's cache checks only the file of the function it loads, not the
    files of the functions compiled into it; the digest catches a kernel cached before a
    callee changed."""
    return compute_source_digest(KERNEL_SOURCES, root=root or PACKAGE_ROOT)


def layout_hash() -> float:
    """A float fingerprint of the layout and the kernel sources; the kernel refuses a
    parameter array with another (a stale Numba cache compiled for another layout or
    other sources) and the runner recompiles it."""
    text = repr((_STATE_SPEC, _PARAM_SPEC, CHANNEL_NAMES, kernel_source_digest()))
    return float(int(hashlib.sha256(text.encode()).hexdigest()[:12], 16))


LAYOUT_HASH = layout_hash()

# ------------------------------------------------------------------- kernel scratch
#: per-wheel quantities one step passes between its subsystems (rows of a (N, 4) array)
_WHEEL_SPEC: tuple[str, ...] = (
    "FS",  # suspension force on the body (spring + damper + stops), N
    "FZ",  # tyre normal load, N
    "FZW",  # world-vertical contact force on the unsprung mass, N
    "VLONG",
    "VLAT",  # contact-patch velocity along / across the wheel, m/s
    "FXW",
    "FYW",  # tyre forces at the old wheel speed (wheel frame), N
    "DFX",  # dFx/domega of the tyre, N s/rad
    "RD",  # dynamic rolling radius, m
    "TFRIC",  # brake + rolling-resistance torque magnitude, N m
    "TBRK",  # brake torque magnitude, N m
    "COSW",
    "SINW",  # wheel heading cosine / sine
    "GX",
    "GY",  # ground slope under the wheel (world x / y)
    "NRM",  # |ground normal| = sqrt(1 + gx^2 + gy^2)
    "TRAVEL",  # suspension compression from ride height, m
    "SLIP",  # longitudinal slip ratio
    "RWX",
    "RWY",
    "RWZ",  # hub offset from the sprung CG, world frame, m
    "THS",  # halfshaft torque, N m
    "QSG",  # generalised torque on the side gear, N m
    "OM_NEW",
    "SG_NEW",  # wheel / side-gear speeds after the step, rad/s
    "FX_USED",  # tyre longitudinal force at the new wheel speed, N
)
WHEEL_VAR = {name: i for i, name in enumerate(_WHEEL_SPEC)}
N_WHEEL_VAR = len(_WHEEL_SPEC)

#: the route arrays handed to the kernel, in this order (a tuple of 1-D float64 arrays)
ROUTE_ARRAYS: tuple[str, ...] = (
    "x",  # centre line east, m (1 m grid)
    "y",  # centre line north, m
    "z",  # centre line height, m
    "surface",  # surface class code per metre
    "target_speed",  # driver's speed plan, m/s
    "feature_height",  # seeded feature height on the terrain grid, m
    "cross_slope",  # cross slope dz/dn per metre
    "rock",  # rock-field amplitude per metre, m
    "rough_left",  # ISO 8608 profile of the left wheel track on the terrain grid, m
    "rough_right",  # ISO 8608 profile of the right wheel track on the terrain grid, m
    "crest",  # 1 per metre where a dune crest's brink is expected (the crew lifts), else 0
)
ROUTE = {name: i for i, name in enumerate(ROUTE_ARRAYS)}

#: values a kernel call carries from step to step for the telemetry row
_AUX_SPEC: tuple[str, ...] = (
    "T_E",  # engine brake torque of the last step, N m
    "P_E",  # engine brake power of the last step (its torque x the speed it ran at), W
    "AX",
    "AY",  # horizontal acceleration, heading frame, m/s^2
    "SFZ",  # vertical specific force, m/s^2
    "V_TARGET",  # driver's previewed speed target, m/s
    "CONTACT",  # tyres touching the ground
)
AUX = {name: i for i, name in enumerate(_AUX_SPEC)}
N_AUX = len(_AUX_SPEC)


def _render_param_blocks() -> list[str]:
    """The parameter constants block by block, each slot from its block's first offset:
    a slot added to one block changes that block's lines and the later blocks' offsets,
    not every constant after it."""
    lines = [f"P_LAYOUT_HASH = {PARAM['LAYOUT_HASH']}"]
    for block in BLOCKS:
        base = _const_name("PB_", block.name)
        lines.append(f"{base} = {PARAM[block.slots[0][0]]}  # block {block.name}")
        lines += [
            f"{_const_name('P_', k)} = {base} + {PARAM[k] - PARAM[block.slots[0][0]]}"
            for k, _ in block.slots
        ]
    return lines


def _const_name(prefix: str, name: str) -> str:
    return prefix + "".join(c if c.isalnum() else "_" for c in name).upper()


def render_indices() -> str:
    """Source text of :mod:`raidsim.sim.indices`: one integer constant per state (``S_``),
    parameter (``P_``), channel (``C_``), wheel scratch row (``W_``), carried value
    (``A_``) and status code, so Numba freezes them into the compiled kernel."""
    lines = [
        '"""Index constants of the flat kernel arrays: GENERATED from raidsim.sim.layout.',
        "",
        "Do not edit: run ``python -m raidsim.sim.layout`` after changing the layout (a test",
        "fails while this file is stale).",
        '"""',
        "",
        "# ruff: noqa: E501",
        "",
        "from raidsim.sim.layout import LAYOUT_HASH  # noqa: F401 (layout + kernel sources)",
        "",
        f"N_STATE = {N_STATE}",
        f"N_PARAM = {N_PARAM}",
        f"N_CH = {N_CH}",
        f"N_TABLE = {N_TABLE}",
        f"N_RC = {N_RC}",
        f"N_WHEEL_VAR = {N_WHEEL_VAR}",
        f"N_AUX = {N_AUX}",
        "",
    ]
    groups: list[tuple[str, str, dict[str, int]]] = [
        ("state", "S_", STATE),
        ("parameters", "P_", PARAM),
        ("channels", "C_", CH),
        ("per-wheel scratch rows", "W_", WHEEL_VAR),
        ("values carried between steps", "A_", AUX),
        ("route arrays", "R_", ROUTE),
    ]
    for title, prefix, table in groups:
        lines.append(f"# {title}")
        if prefix == "P_":
            lines += _render_param_blocks()
        else:
            lines += [f"{_const_name(prefix, k)} = {v}" for k, v in table.items()]
        lines.append("")
    lines.append("# kernel status codes")
    for name, value in sorted(STATUS.items(), key=lambda kv: kv[1]):
        lines.append(f"STATUS_{name} = {value}")
    lines.append("")
    lines.append("# kernel modes (PARAM['MODE'], see layout.MODES)")
    for name, value in sorted(MODE.items(), key=lambda kv: kv[1]):
        lines.append(f"MODE_{name} = {value}")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    target = Path(__file__).with_name("indices.py")
    target.write_text(render_indices(), encoding="utf-8")
    print(f"wrote {target}")
