"""``raidsim check-regs VEHICLE``: a vehicle spec against the W2RC "Stock" rules.

Exit codes: 0 every rule met (warnings allowed), 1 a rule failed, 2 bad input (unknown
vehicle, unreadable TOML, bad rule set; see :mod:`raidsim.cli.errors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from raidsim.cli.errors import console, handle_errors, say
from raidsim.cli.options import DEFAULT_VEHICLE, Setup, cli_table, load_car

if TYPE_CHECKING:
    from raidsim.regs.check import RuleResult

EXIT_RULE_FAILED = 1

_STYLE = {"PASS": "green", "FAIL": "bold red", "WARN": "yellow"}


def regs_table(title: str, results: list[RuleResult]) -> Table:
    """One row per rule (id, status, value, requirement; readable in 80 columns: text
    wraps at spaces); the long source notes go to :func:`sources_table`."""
    table = cli_table(title)
    # the id on a line of its own, never split; the title wraps at spaces below it
    id_width = max((len(r.rule.id) + 1 for r in results), default=4)  # with its colon
    table.add_column("rule", overflow="fold", min_width=id_width, max_width=max(24, id_width))
    table.add_column("status", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("requirement", overflow="fold")
    for r in results:
        table.add_row(
            Text(f"{r.rule.id}:\n{r.rule.title}"),
            Text(r.status, style=_STYLE[r.status]),
            Text(r.value),
            Text(r.requirement),
        )
    return table


def sources_table(results: list[RuleResult]) -> Table:
    """Where each rule's number comes from, one row per rule; an unsourced number says so."""
    table = cli_table("sources", show_header=False)
    table.add_column("rule", no_wrap=True)
    table.add_column("source", overflow="fold")
    for r in results:
        source = r.rule.source if r.rule.sourced else f"UNSOURCED number. {r.rule.source}"
        table.add_row(Text(r.rule.id), Text(source))
    return table


@handle_errors
def check_regs_command(
    vehicle: Annotated[str, typer.Argument(help="vehicle preset or TOML path")] = DEFAULT_VEHICLE,
    rules: Annotated[str, typer.Option(help="rule set shipped in raidsim/regs")] = "w2rc_stock",
    setup: Setup = None,
) -> None:
    """Check a vehicle spec against the W2RC Stock rules that a spec can show."""
    from raidsim.regs.check import check_vehicle, failed
    from raidsim.regs.rules import load_rules

    car = load_car(vehicle, setup)
    rule_set = load_rules(rules)
    results = check_vehicle(car, rule_set)
    console.print(regs_table(f"{car.name} vs {rule_set.title}", results))
    console.print(sources_table(results))
    bad = failed(results)
    if bad:
        console.print(
            Text.assemble(
                (f"{len(bad)} rule(s) failed:", "bold red"), " ", ", ".join(r.rule.id for r in bad)
            )
        )
        raise typer.Exit(EXIT_RULE_FAILED)
    say(
        "all rules met" + (" (with warnings)" if len(results) != sum(r.ok for r in results) else "")
    )
