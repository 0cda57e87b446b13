"""Physical and unit constants, defined once for the whole package (SI inside).

Only the edges (presets, CLI, report) convert to km/h, rpm and bar; they use these.
"""

from __future__ import annotations

import math

#: standard gravity, m/s^2 (CGPM 1901; ISO 80000-3)
G_MPS2 = 9.80665
#: 1 bar in Pa
BAR_TO_PA = 1.0e5
#: rpm -> rad/s
RPM_TO_RADPS = 2.0 * math.pi / 60.0
#: rad/s -> rpm
RADPS_TO_RPM = 60.0 / (2.0 * math.pi)
#: km/h per m/s: ``speed_mps = speed_kmh / KMH_PER_MPS``
KMH_PER_MPS = 3.6
