"""Controllers: driver (path + speed), transmission control, Flight Mode."""
