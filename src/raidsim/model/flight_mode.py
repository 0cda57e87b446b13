"""Flight Mode calibration: airborne detection and driveline actions (physics.md §4.3-4.4).

The D7X-R's Flight Mode "automatically adjusts torque delivery from the engine to the
wheels whenever the car is airborne to ensure a smooth landing and protect the
driveline" [S14]; the algorithm is not published. This spec follows the recommended
model of physics.md §4.4 with every threshold an estimate to tune in simulation:
detection by a 2-of-3 vote of (1) IMU specific force below a threshold for a minimum
time, (2) wheels near full droop with low suspension load, (3) the wheels' road torque
estimated from the driveline torque and the wheel acceleration (T_road = T_shaft - T_brake
- J domega/dt ~ 0: the Ford wheel-lift test [S54]) or wheel-speed flare;
exit on landing (wheel loads back or a vertical-acceleration spike). Entry also needs the
car to hang: no tyre loaded by the estimate F_s + m_u f_u (suspension force and hub
accelerometer) above ``hanging_load_fraction`` of its static load, for the IMU persistence
(docs/physics.md §14.4).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FlightModeSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    imu_threshold_g: float = Field(gt=0.0, le=1.0, description="|specific force| below this")
    imu_min_time_s: float = Field(ge=0.0, le=0.5, description="for at least this long")
    imu_filter_hz: float = Field(gt=1.0, le=200.0, description="first-order low-pass")
    droop_margin_m: float = Field(gt=0.0, le=0.1, description="wheel within this of droop")
    droop_wheels: int = Field(ge=1, le=4, description="wheels at droop for the vote")
    load_fraction: float = Field(gt=0.0, le=1.0, description="suspension load / static below")
    # estimate, tuned in simulation (docs/physics.md §14.4): the entry gate asks that no
    # tyre carries more than this share of its static load, by the ECU's estimate from
    # the suspension force and the hub accelerometer; on the default stage the lightest
    # skim of a crest with one tyre down carried 6 % of its static load
    hanging_load_fraction: float = Field(
        default=0.05,
        gt=0.0,
        le=1.0,
        description="estimated tyre load / static below on every wheel to enter (no tyre down)",
    )
    flare_fraction: float = Field(gt=0.0, le=1.0, description="|omega r - v|/v above")
    road_torque_fraction: float = Field(
        gt=0.0, le=1.0, description="|road torque| below this x static wheel load x r0"
    )
    free_wheels: int = Field(ge=1, le=4, description="wheels with no road torque for the vote")
    free_min_time_s: float = Field(ge=0.0, le=0.5, description="for at least this long")
    votes_to_enter: int = Field(ge=1, le=3)
    exit_load_fraction: float = Field(gt=0.0, le=3.0, description="wheel load / static above")
    exit_wheels: int = Field(ge=1, le=4)
    exit_vertical_g: float = Field(gt=1.0, le=10.0)
    wheel_speed_matching: bool = Field(description="True: track tread speed; False: cut")
    open_lockup: bool
    hold_gear: bool
    release_centre_lock: bool
    ramp_in_s: float = Field(ge=0.0, le=2.0, description="torque ramp after touchdown")
    matching_gain_Nm_per_mps: float = Field(gt=0.0, le=5000.0, description="engine N m per m/s")
    slip_target: float = Field(ge=-0.1, le=0.1, description="tread speed / ground speed - 1")
