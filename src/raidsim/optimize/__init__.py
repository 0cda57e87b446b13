"""Setup optimisation over the QSS estimator (optuna); see :mod:`raidsim.optimize.study`."""
