"""Run a stage: the transient 14-DOF model (``transient/``), the QSS estimator
(``qss/``), the slow-state step both share (``thermal.py``) and the array layout."""
