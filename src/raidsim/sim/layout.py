"""Named layout of the transient model's flat arrays: state, parameters, channels.

The Numba kernel and the Python writers both read their indices from here; nothing
else in raidsim uses a bare positional index into these arrays.

* State ``S`` (float64): body pose and velocities, unsprung heights, wheel spins,
  driveline, engine, controller and bookkeeping states.
* Parameters ``P`` (float64): every number the kernel needs, flattened from the
  vehicle spec, ambient and settings by :mod:`raidsim.sim.params`.
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

WHEELS = ("fl", "fr", "rl", "rr")
N_WHEELS = 4


def _allocate(spec: list[tuple[str, int]]) -> tuple[dict[str, int], int]:
    offsets: dict[str, int] = {}
    k = 0
    for name, n in spec:
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
N_TABLE = 12  # max points in engine / converter tables
N_GEARS_MAX = 10
N_RC = 16  # points of the per-wheel Bekker compaction-resistance table vs load

_PARAM_SPEC: list[tuple[str, int]] = [
    ("LAYOUT_HASH", 1),
    ("DT", 1),
    ("G", 1),
    ("SAMPLE_EVERY", 1),
    ("CTRL_DT", 1),
    ("M_TOTAL", 1),
    ("M_SPRUNG", 1),
    ("IXX", 1),
    ("IYY", 1),
    ("IZZ", 1),
    ("CX", 4),
    ("CY", 4),
    ("CZ", 4),  # hub attachment, body frame from sprung CG, m
    ("M_U", 4),
    ("K_S", 4),
    ("PRELOAD", 4),
    ("C_COMP", 4),
    ("C_REB", 4),
    ("D_DIG", 4),
    ("BUMP", 4),
    ("DROOP", 4),
    ("ENDZ_START", 4),
    ("ENDZ_MULT", 4),
    ("BS_LEN", 4),
    ("BS_F", 4),
    ("BS_P", 4),
    ("BS_C", 4),
    ("DROOP_K", 4),
    ("R0", 1),
    ("TYRE_W", 1),
    ("TYRE_H", 1),  # section height, m (WES sand numeric)
    ("J_W", 1),
    ("KZ_T", 4),
    ("CZ_T", 1),
    ("FZ_NOM", 1),
    ("DFX0", 2),
    ("FXM", 2),
    ("SXM", 2),
    ("FXS", 2),
    ("SXS", 2),
    ("DFY0", 2),
    ("FYM", 2),
    ("SYM", 2),
    ("FYS", 2),
    ("SYS", 2),
    ("V_N", 1),
    ("RR_A", 4),
    ("RR_B", 4),  # hard-road rolling resistance f = A + B v^2 per wheel
    ("SURF_MU", N_SURF),
    ("SURF_RR", N_SURF),
    ("SURF_SM", N_SURF),
    ("SURF_FS", N_SURF),
    ("SURF_SOFT", N_SURF),
    ("SURF_SAND_G", N_SURF),  # WES cone-index gradient G per surface, Pa/m (0: no soil)
    ("RC_WMAX", 1),
    ("RC_TABLE", N_SURF * 4 * N_RC),  # Bekker R_c(W) per surface, wheel
    ("SAND_SPEED_REF", 1),
    ("AERO_K", 1),
    ("LIFT_K", 1),
    ("HEADWIND", 1),
    ("ENG_N", 1),
    ("ENG_W", N_TABLE),
    ("ENG_T", N_TABLE),
    ("IDLE_W", 1),
    ("REV_W", 1),
    ("J_E", 1),
    ("FRIC_A", 1),
    ("FRIC_B", 1),
    ("FRIC_C", 1),
    ("NA_FRAC", 1),
    ("LAG_LOW", 1),
    ("LAG_HIGH", 1),
    ("LAG_W_LOW", 1),
    ("LAG_W_HIGH", 1),
    ("P_CAP", 1),  # restrictor power ceiling, W (inf = none)
    ("WILLANS_E", 1),
    ("FUEL_LHV", 1),
    ("TC_N", 1),
    ("TC_SR", N_TABLE),
    ("TC_K", N_TABLE),
    ("TC_TR", N_TABLE),
    ("LU_CAP", 1),
    ("LU_MIN_GEAR", 1),
    ("LU_MIN_V", 1),
    ("J_T", 1),
    ("N_GEARS", 1),
    ("RATIO", N_GEARS_MAX),
    ("EFF", N_GEARS_MAX),
    ("FD", 1),
    ("SHIFT_T", 1),
    ("SHIFT_CUT", 1),
    ("UP_PART", 1),
    ("UP_FULL", 1),
    ("DN_PART", 1),
    ("DN_FULL", 1),
    ("MIN_T_GEAR", 1),
    ("SAND_SLIP", 1),
    ("FRONT_FRAC", 1),
    ("CLOCK_CAP", 1),
    ("FLOCK_CAP", 1),
    ("RLOCK_CAP", 1),
    ("AXLE_EFF", 1),
    ("J_SG", 1),
    ("K_HS", 1),
    ("C_HS", 1),
    ("MAX_STEER", 1),
    ("MAX_STEER_RATE", 1),
    ("WHEELBASE", 1),
    ("TRACK_F", 1),
    ("TB_MAX", 4),
    ("ABS_SLIP", 1),
    ("V_LIM", 1),
    ("V_BAND", 1),
    ("DRV_HEADING_PREVIEW", 1),
    ("DRV_STANLEY_K", 1),
    ("DRV_KP", 1),
    ("DRV_KI", 1),
    ("DRV_PREVIEW_T", 1),
    ("DRV_BRAKE_GAIN", 1),
    ("PACE_TOL", 1),
    ("PACE_GAIN", 1),
    ("PACE_MIN", 1),
    ("PACE_RECOVERY", 1),
    ("PACE_LANDING_G", 1),
    ("PACE_LANDING", 1),
    ("PACE_SLIDE_BETA", 1),
    ("PACE_SLIDE", 1),
    ("PACE_LANDING_AIR_T", 1),
    ("LC_MAX_OFFSET", 1),
    ("LC_MAX_HEADING", 1),
    ("LC_HEADING_T", 1),
    ("LC_PROGRESS_T", 1),
    ("LC_MIN_PROGRESS", 1),
    ("TH_DT", 1),
    ("T_AIR", 1),
    ("RHO_AIR", 1),
    ("P_AMB", 1),
    ("CL_FRAC_FULL", 1),
    ("CL_FRAC_PART", 1),
    ("CL_UA_REF", 1),
    ("CL_V_REF", 1),
    ("CL_UA_EXP", 1),
    ("CL_FACE_A", 1),
    ("CL_K_SYS0", 1),
    ("CL_C_RAM", 1),
    ("CL_N_FANS", 1),
    ("CL_FAN_DP0", 1),
    ("CL_FAN_Q0", 1),
    ("CL_FAN_W", 1),
    ("CL_FAN_LOW", 1),
    ("CL_FAN_ON", 1),
    ("CL_FAN_FULL", 1),
    ("CL_ALT_EFF", 1),
    ("CL_PUMP", 1),
    ("CL_CP", 1),
    ("CL_TH_OPEN", 1),
    ("CL_TH_FULL", 1),
    ("CL_TH_MIN", 1),
    ("CL_C_ENG", 1),
    ("CL_C_OIL", 1),
    ("CL_G_LOSS", 1),
    ("CL_G_OC", 1),
    ("CL_G_OA", 1),
    ("CL_DER_C", 1),
    ("CL_MAX_C", 1),
    ("CL_DER_OIL", 1),
    ("CL_MAX_OIL", 1),
    ("CL_FLOOR", 1),
    ("CL_FK_CLEAN", 1),
    ("CL_FK_PER", 1),
    ("CL_IF_AREA", 1),
    ("CL_IF_K0", 1),
    ("CL_IF_KPER", 1),
    ("CL_LOAD_PER_KM", N_SURF),
    ("P_CAP_FLOW", 1),
    ("BR_MASS", 4),
    ("BR_DO", 4),
    ("BR_DI", 4),
    ("BR_FACE_A", 4),
    ("BR_VANE_A", 4),
    ("BR_VANE_L", 4),
    ("BR_DH", 1),
    ("BR_PUMP", 1),
    ("BR_CP", 1),
    ("BR_EMIS", 1),
    ("BR_PART", 1),
    ("BR_MU_N", 1),
    ("BR_MU_T", N_TABLE),
    ("BR_MU", N_TABLE),
    ("BR_MU_NOM", 1),
    ("LAMBDA_FULL", 1),
    ("ENRICH_START", 1),
    ("FUEL_DENSITY", 1),
    ("FUEL_LOAD_L", 1),
    ("TANK_X", 1),
    ("FM_ENABLED", 1),
    ("FM_IMU_G", 1),
    ("FM_IMU_TMIN", 1),
    ("FM_IMU_FC", 1),
    ("FM_DROOP_MARGIN", 1),
    ("FM_DROOP_WHEELS", 1),
    ("FM_LOAD_FRAC", 1),
    ("FM_FLARE_FRAC", 1),
    ("FM_ROAD_FRAC", 1),
    ("FM_FREE_WHEELS", 1),
    ("FM_FREE_TMIN", 1),
    ("FM_VOTES", 1),
    ("FM_EXIT_LOAD_FRAC", 1),
    ("FM_EXIT_AZ_G", 1),
    ("FM_EXIT_WHEELS", 1),
    ("FM_MATCH", 1),
    ("FM_OPEN_LU", 1),
    ("FM_HOLD_GEAR", 1),
    ("FM_RELEASE_CLOCK", 1),
    ("FM_RAMP_S", 1),
    ("FM_MATCH_GAIN", 1),
    ("FM_SLIP_TARGET", 1),
    ("MODE", 1),  # kernel mode, see MODES
    ("STAGE_END", 1),
    ("MAX_TIME", 1),
    ("TERRAIN_DS", 1),
    ("ROCK_SEED", 1),
    ("LAUNCH_T_RATIO", 1),  # launch-mode torque / production peak torque (0 = no launch control)
    ("LAUNCH_P", 1),  # production peak power, the launch-mode curve's ceiling, W
    ("LAUNCH_SLIP", 1),  # launch control's wheel-slip target
]
PARAM, N_PARAM = _allocate(_PARAM_SPEC)

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
# Kernel modes (PARAM["MODE"]): who drives. Generated into indices.py as MODE_*; the
# kernel and the Python side compare with the names, never with the numbers.
MODE_DRIVER = 0
MODE_OPEN_LOOP = 1
MODE_HELD = 2
MODE_SPEED_HOLD = 3
#: kernel modes by name (the generated ``MODE_<name>`` constants)
MODE = {
    "DRIVER": MODE_DRIVER,
    "OPEN_LOOP": MODE_OPEN_LOOP,
    "HELD": MODE_HELD,
    "SPEED_HOLD": MODE_SPEED_HOLD,
}
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
