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
