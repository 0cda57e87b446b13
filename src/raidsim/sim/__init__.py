"""Run a stage: transient 14-DOF model (kernel.py, transient.py) and its layout."""
