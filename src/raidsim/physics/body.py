"""Rigid-body kinematics and dynamics of the sprung mass (physics.md §6.3).

Attitude as ZYX Euler angles (yaw psi, pitch theta, roll phi); angular rates (p, q, r)
about the body axes; inertia about the principal body axes.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def rotation_zyx(
    phi: float, theta: float, psi: float
) -> tuple[float, float, float, float, float, float, float, float, float]:
    """Body-to-world rotation R = Rz(psi) Ry(theta) Rx(phi), row-major (r00 ... r22)."""
    cph, sph = math.cos(phi), math.sin(phi)
    cth, sth = math.cos(theta), math.sin(theta)
    cps, sps = math.cos(psi), math.sin(psi)
    return (
        cps * cth,
        cps * sth * sph - sps * cph,
        cps * sth * cph + sps * sph,
        sps * cth,
        sps * sth * sph + cps * cph,
        sps * sth * cph - cps * sph,
        -sth,
        cth * sph,
        cth * cph,
    )


@njit(cache=True)
def euler_rate_update(
    p: float,
    q: float,
    r: float,
    mx_Nm: float,
    my_Nm: float,
    mz_Nm: float,
    ixx: float,
    iyy: float,
    izz: float,
    dt_s: float,
) -> tuple[float, float, float]:
    """One explicit step of Euler's equations about principal axes:

    Ixx p' = Mx - (Izz - Iyy) q r,  Iyy q' = My - (Ixx - Izz) r p,
    Izz r' = Mz - (Iyy - Ixx) p q.
    """
    return (
        p + dt_s * (mx_Nm - (izz - iyy) * q * r) / ixx,
        q + dt_s * (my_Nm - (ixx - izz) * r * p) / iyy,
        r + dt_s * (mz_Nm - (iyy - ixx) * p * q) / izz,
    )


@njit(cache=True)
def euler_angle_increments(
    p: float, q: float, r: float, phi: float, theta: float, dt_s: float
) -> tuple[float, float, float]:
    """Increments of the ZYX Euler angles over dt from the body rates:

    phi' = p + (q sin phi + r cos phi) tan theta,  theta' = q cos phi - r sin phi,
    psi' = (q sin phi + r cos phi) / cos theta.
    """
    sph = math.sin(phi)
    cph = math.cos(phi)
    cth = math.cos(theta)
    return (
        dt_s * (p + (q * sph + r * cph) * math.tan(theta)),
        dt_s * (q * cph - r * sph),
        dt_s * (q * sph + r * cph) / cth,
    )
