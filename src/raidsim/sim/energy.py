"""Mechanical energy bookkeeping of the transient model (for validation and checks).

E = kinetic (body translation and rotation, unsprung heave, wheel and side-gear spin,
engine/turbine) + gravitational + elastic (suspension springs with preload, bump and
droop stops, tyres, halfshafts). Together with the kernel's dissipation accumulator
(dampers, tyre damping, contact slip, friction torques) it must be conserved when no
driving torque acts. Engine and turbine are left out: use it in neutral, where they are
decoupled from the chassis.
"""

from __future__ import annotations

import numpy as np

from raidsim.sim.transient import TransientModel


def _route_ground(model: TransientModel, i: int) -> float:
    """Ground height under wheel i (flat analytic stages only: route z at the CG)."""
    return float(
        np.interp(model["S_ROUTE"], model.stage.centreline.s_m, model.stage.centreline.z_m)
    )


def mechanical_energy_J(model: TransientModel) -> float:
    s = model
    p = s.params
    from raidsim.sim.layout import PARAM, STATE

    def par(name: str, i: int = 0) -> float:
        return float(p[PARAM[name] + i])

    def st(name: str, i: int = 0) -> float:
        return float(s.state[STATE[name] + i])

    g = par("G")
    m_t, m_s = st("M_TOTAL"), st("M_SPRUNG")  # current (fuel burns)
    ke = 0.5 * m_t * (st("VX") ** 2 + st("VY") ** 2) + 0.5 * m_s * st("VZ") ** 2
    ke += 0.5 * (par("IXX") * st("P") ** 2 + st("IYY") * st("Q") ** 2 + st("IZZ") * st("R") ** 2)
    pe = m_s * g * st("Z")
    el = 0.0
    phi, th = st("PHI"), st("THETA")
    for i in range(4):
        m_u = par("M_U", i)
        ke += 0.5 * m_u * st("WU", i) ** 2
        ke += 0.5 * par("J_W") * st("OMEGA", i) ** 2 + 0.5 * par("J_SG") * st("OMEGA_SG", i) ** 2
        pe += m_u * g * st("ZU", i)
        # corner height of the body (small-angle-exact with the kernel's rotation)
        cx, cy, cz = st("CX", i), par("CY", i), par("CZ", i)
        oz = -np.sin(th) * cx + np.cos(th) * np.sin(phi) * cy + np.cos(th) * np.cos(phi) * cz
        x = st("ZU", i) - (st("Z") + oz)
        el += par("PRELOAD", i) * x + 0.5 * par("K_S", i) * x * x
        x_bs = par("BUMP", i) - par("BS_LEN", i)
        if x > x_bs:
            pexp = par("BS_P", i)
            el += (
                par("BS_F", i)
                * par("BS_LEN", i)
                / (pexp + 1.0)
                * ((x - x_bs) / par("BS_LEN", i)) ** (pexp + 1.0)
            )
        if x < -par("DROOP", i):
            el += 0.5 * par("DROOP_K", i) * (x + par("DROOP", i)) ** 2
        defl = _route_ground(model, i) - (st("ZU", i) - par("R0"))
        if defl > 0.0:
            el += 0.5 * par("KZ_T", i) * defl * defl
        el += 0.5 * par("K_HS") * st("TWIST", i) ** 2
    return float(ke + pe + el)
