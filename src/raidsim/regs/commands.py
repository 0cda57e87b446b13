"""``raidsim check-regs VEHICLE``: a vehicle spec against the W2RC "Stock" rules.

A plain typer command function; ``raidsim.cli`` registers it with
``app.command("check-regs")(check_regs_command)``. Exit codes: 0 every rule met (warnings
allowed), 1 a rule failed, 2 bad input (unknown vehicle, unreadable TOML, bad rule set).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from raidsim.errors import ConfigError
from raidsim.regs.check import RuleResult, check_vehicle, failed
from raidsim.regs.rules import load_rules
from raidsim.terminal import EXIT_BAD_INPUT, console, err_console

EXIT_RULE_FAILED = 1

_STYLE = {"PASS": "green", "FAIL": "bold red", "WARN": "yellow"}


def regs_table(title: str, results: list[RuleResult]) -> Table:
    table = Table(title=title)
    for col in ("rule", "status", "value", "requirement", "source"):
        table.add_column(col, overflow="fold")
    for r in results:
        source = r.rule.source if r.rule.sourced else f"UNSOURCED number. {r.rule.source}"
        table.add_row(
            r.rule.title,
            f"[{_STYLE[r.status]}]{r.status}[/]",
            r.value,
            r.requirement,
            source,
        )
    return table


def check_regs_command(
    vehicle: Annotated[str, typer.Argument(help="vehicle preset or TOML path")] = "d7x-r",
    rules: Annotated[str, typer.Option(help="rule set shipped in raidsim/regs")] = "w2rc_stock",
) -> None:
    """Check a vehicle spec against the W2RC Stock rules that a spec can show."""
    import raidsim as rs

    try:
        car = rs.load_vehicle(vehicle)
        rule_set = load_rules(rules)
    except ConfigError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    results = check_vehicle(car, rule_set)
    console.print(regs_table(f"{car.name} vs {rule_set.title}", results))
    bad = failed(results)
    if bad:
        console.print(
            f"[bold red]{len(bad)} rule(s) failed:[/] " + ", ".join(r.rule.id for r in bad)
        )
        raise typer.Exit(EXIT_RULE_FAILED)
    console.print(
        "all rules met" + (" (with warnings)" if len(results) != sum(r.ok for r in results) else "")
    )
