"""The crew's hands and feet: Stanley path follower and PI speed control on a previewed
speed plan (physics.md §11; Thrun et al. 2006 for the Stanley law)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: speed added to v in the Stanley cross-track term (softens it at walking pace), m/s
STANLEY_SOFTENING_MPS = 2.0
#: anti-windup bound of the speed integral, m
SPEED_INTEGRAL_LIMIT_M = 20.0
#: a load spike counts as a landing while the body comes down faster than this, m/s
LANDING_SINK_MPS = 1.0


@njit(cache=True)
def wrap_angle_rad(a: float) -> float:
    """Angle wrapped into [-pi, pi)."""
    return (a + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True)
def stanley_steer_rad(
    x_m: float,
    y_m: float,
    yaw_rad: float,
    cos_yaw: float,
    sin_yaw: float,
    s_cg_m: float,
    speed_mps: float,
    route_x: np.ndarray,
    route_y: np.ndarray,
    cg_to_front_m: float,
    heading_preview_s: float,
    gain: float,
    wheelbase_m: float,
    max_steer_rad: float,
) -> float:
    """Stanley steering on the front axle with curvature feed-forward, clipped:

        delta = psi_e + atan(-k e_f / (v + v0)) + L kappa

    e_f is the front axle's offset from the route (+ left), psi_e the heading error to
    the route ``heading_preview_s`` ahead, kappa the route's heading change per metre
    there (the route grid is 1 m).
    """
    n_route = route_x.shape[0]
    xf = x_m + cg_to_front_m * cos_yaw
    yf = y_m + cg_to_front_m * sin_yaw
    s_f = s_cg_m + cg_to_front_m
    kf = min(max(int(s_f), 0), n_route - 2)
    txf = route_x[kf + 1] - route_x[kf]
    tyf = route_y[kf + 1] - route_y[kf]
    e_f = (-(xf - route_x[kf]) * tyf + (yf - route_y[kf]) * txf) / math.sqrt(txf * txf + tyf * tyf)
    s_h = s_f + heading_preview_s * speed_mps
    kh = min(max(int(s_h), 0), n_route - 3)
    h1 = math.atan2(route_y[kh + 1] - route_y[kh], route_x[kh + 1] - route_x[kh])
    h2 = math.atan2(route_y[kh + 2] - route_y[kh + 1], route_x[kh + 2] - route_x[kh + 1])
    kap = wrap_angle_rad(h2 - h1)
    psi_e = wrap_angle_rad(h1 - yaw_rad)
    d_cmd = psi_e + math.atan(-gain * e_f / (speed_mps + STANLEY_SOFTENING_MPS)) + wheelbase_m * kap
    return min(max_steer_rad, max(-max_steer_rad, d_cmd))


@njit(cache=True)
def crew_pace(
    pace: float,
    offset_m: float,
    specific_force_mps2: float,
    sink_mps: float,
    g_mps2: float,
    dt_s: float,
    tolerance_m: float,
    slowdown_per_m: float,
    min_pace: float,
    recovery_per_s: float,
    hard_landing_g: float,
    hard_landing_pace: float,
    sliding: bool,
    slide_pace: float,
) -> float:
    """How hard the crew pushes, as a factor on the speed plan: they back off at once
    when the car runs wide of its line (1 - k (|n| - n_tol), never below the minimum),
    lands hard (specific force above the hard-landing g while coming down at more than
    LANDING_SINK_MPS: a take-off ramp's compression is not a landing) or slides, and
    regain pace gradually (at most ``recovery_per_s`` per second)."""
    target = 1.0 - slowdown_per_m * max(0.0, abs(offset_m) - tolerance_m)
    if specific_force_mps2 > hard_landing_g * g_mps2 and sink_mps > LANDING_SINK_MPS:
        target = min(target, hard_landing_pace)
    if sliding:
        target = min(target, slide_pace)
    target = max(min_pace, target)
    if target < pace:
        return target
    return min(target, pace + recovery_per_s * dt_s)


@njit(cache=True)
def body_slip_angle_rad(vx_mps: float, vy_mps: float, cos_yaw: float, sin_yaw: float) -> float:
    """Angle between the body's x axis and its horizontal velocity (beta), 0 at rest."""
    v_long = vx_mps * cos_yaw + vy_mps * sin_yaw
    v_lat = -vx_mps * sin_yaw + vy_mps * cos_yaw
    if abs(v_long) + abs(v_lat) < 1e-6:
        return 0.0
    return math.atan2(v_lat, abs(v_long))


@njit(cache=True)
def rate_limited(current: float, target: float, max_step: float) -> float:
    """Move ``current`` towards ``target`` by at most ``max_step``."""
    return current + min(max_step, max(-max_step, target - current))


@njit(cache=True)
def pi_pedals(
    error_mps: float,
    integral_m: float,
    kp: float,
    ki: float,
    brake_gain: float,
    dt_s: float,
) -> tuple[float, float, float]:
    """PI speed control split into throttle and brake, u = kp e + ki int(e):
    throttle = clip(u), brake = clip(-u g_brake); the integral stops while a pedal is
    saturated in the error's direction (anti-windup). Returns (throttle, brake, integral).
    """
    u = kp * error_mps + ki * integral_m
    thr = min(1.0, max(0.0, u))
    brk = min(1.0, max(0.0, -u * brake_gain))
    if not ((thr >= 1.0 and error_mps > 0.0) or (brk >= 1.0 and error_mps < 0.0)):
        integral_m = min(
            SPEED_INTEGRAL_LIMIT_M, max(-SPEED_INTEGRAL_LIMIT_M, integral_m + error_mps * dt_s)
        )
    return thr, brk, integral_m
