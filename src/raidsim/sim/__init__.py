"""Run a stage: the stage runner (``runner.py``: plan, model, outputs), the QSS estimator
(``qss/``), the speed table and the plan over a stage's ground (``ride/``), the transient
14-DOF kernel and model (``transient/``), one run's assembly (``assemble.py``: parameters
from ``pack.py`` and the subsystems' ``blocks/``, route and plan from ``plan.py``, initial
state), the slow-state step both tiers share (``thermal.py``) and the array layout
(``layout.py``). The order between them: ``SIM_LAYERS`` in ``tests/test_layers.py``."""
