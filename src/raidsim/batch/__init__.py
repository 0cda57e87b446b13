"""Batches of transient runs on Dask: a grid of stages x setup variants x seeds x ambient.

* :mod:`raidsim.batch.grid`: the grid (validated before any work starts) and its runs;
* :mod:`raidsim.batch.runner`: the resumable batch directory (one folder per run, written
  atomically; a results table of every run's summary), in-process or on Dask;
* :mod:`raidsim.batch.cluster`: the Dask plumbing the batch and the campaign share
  (LocalCluster settings, scheduler address, atomic writes, worker count).
"""
