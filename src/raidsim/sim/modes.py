"""Kernel modes (``PARAM["MODE"]``): who drives. :mod:`raidsim.sim.layout` re-exports
them and generates them into :mod:`raidsim.sim.indices` as ``MODE_*``; the kernel and the
Python side compare with the names, never with the numbers. Kept in a module of their own
(no imports) so the run block's packer (:mod:`raidsim.sim.blocks.run`) can use them.
"""

MODE_DRIVER = 0
MODE_OPEN_LOOP = 1
MODE_HELD = 2
MODE_SPEED_HOLD = 3
#: kernel modes by name (the generated ``MODE_<name>`` constants)
MODE = {
    "DRIVER": MODE_DRIVER,
    "OPEN_LOOP": MODE_OPEN_LOOP,
    "HELD": MODE_HELD,
    "SPEED_HOLD": MODE_SPEED_HOLD,
}
