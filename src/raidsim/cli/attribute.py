"""``raidsim attribute``: where the time between two cars comes from, one parameter group
at a time (:mod:`raidsim.optimize.attribution`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from raidsim.cli.errors import console, handle_errors, say
from raidsim.cli.options import cli_table, json_option, load_car, resolve_targets

Targets = Annotated[
    list[str] | None,
    typer.Argument(help="stages or rallies to time [default: dakar-2026/5, /6 and /10]"),
]
DEFAULT_TARGETS = ("dakar-2026/5", "dakar-2026/6", "dakar-2026/10")


@handle_errors
def attribute_command(
    targets: Targets = None,
    base: Annotated[str, typer.Option(help="the car the groups go into (preset or TOML)")] = (
        "d7x-r"
    ),
    donor: Annotated[str, typer.Option(help="the car the groups come from")] = "sandrider",
    group: Annotated[
        list[str] | None,
        typer.Option(help="swap only this group (repeat for several) [default: every group]"),
    ] = None,
    together: Annotated[
        list[str] | None,
        typer.Option(help="also swap these groups as one, joined by + (repeatable)"),
    ] = None,
    as_json: Annotated[bool, json_option("print the table as JSON")] = False,
) -> None:
    """Swap one parameter group at a time from the donor car into the base car and give
    the change in QSS stage time, per stage at its own conditions: mass, tyres, travel,
    springs and dampers, engine, gearing and the rest (docs/attribution.md defines each
    group). Then the one-at-a-time effects added up, the whole difference (donor minus
    base) and the interaction residual between them; --together swaps groups as one."""
    from raidsim.optimize.attribution import GROUPS, attribute, group_paths, split_groups

    base_car, donor_car = load_car(base), load_car(donor)
    groups = group or list(GROUPS)
    for g in groups:
        group_paths(g, base_car)  # an unknown group fails before any work
    for combination in together or []:
        split_groups(combination)
    stages = [
        t.stage for target in (targets or DEFAULT_TARGETS) for t in resolve_targets(target)[1]
    ]
    result = attribute(base_car, donor_car, stages, groups, together or [])
    if as_json:
        console.print_json(json.dumps(result.as_dict()))
        return
    table = cli_table(f"{donor_car.name} into {base_car.name}: change in QSS time, min")
    table.add_column("group", overflow="fold", max_width=22)
    for name in result.stages:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_row(f"{base_car.name} (stock)", *(f"{t / 60:.1f}" for t in result.base_time_s))
    table.add_section()
    for g, effect in result.effect_s.items():
        table.add_row(g, *(f"{e / 60:+.2f}" for e in effect))
    table.add_section()
    for label, row in (
        ("sum of the above", result.sum_s),
        (f"whole {donor_car.name}", result.total_s),
        ("interaction residual", result.residual_s),
    ):
        table.add_row(label, *(f"{e / 60:+.2f}" for e in row))
    if result.together_s:
        table.add_section()
    for combination, row in result.together_s.items():
        table.add_row(f"together: {combination}", *(f"{e / 60:+.2f}" for e in row))
    console.print(table)
    say("+ = slower than the base car; QSS estimate at each stage's catalogue conditions")
