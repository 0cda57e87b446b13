"""Regulation checks of a vehicle spec (W2RC "Stock"); see :mod:`raidsim.regs.check`."""
