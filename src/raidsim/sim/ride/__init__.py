"""Speed from the car and the ground: ride- and shock-limited speeds (docs/physics.md §13.3).

The transient twin drives short canonical courses at a sweep of set speeds (``courses``,
``sweep``); the seat's absorbed power and peak shock at each speed form the vehicle's
speed table (``table``), cached on disk by a hash of everything that changes it
(``cache``). ``limits`` turns a stage and the crew's tolerances into a ride/shock speed
limit per metre, which the driver's plan of both tiers takes (the QSS and the transient
read the same table, so they still agree).
"""
