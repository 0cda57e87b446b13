"""The attribution of the time between two cars to parameter groups
(:mod:`raidsim.optimize.attribution`, ``raidsim attribute``, docs/attribution.md).

The group swap is real: the groups partition every parameter, swapping none gives the
base car exactly, swapping all gives the donor's parameters (and its QSS time bit for bit:
the simulation reads no class), and the page in docs/ is what its generator prints."""

from __future__ import annotations

from types import ModuleType

import pytest
from support.scripts import load_script
from typer.testing import CliRunner

from raidsim.errors import ConfigError
from raidsim.model.loader import load_vehicle, preset_names
from raidsim.model.vehicle import Vehicle
from raidsim.optimize.attribution import (
    GROUP_NOTES,
    GROUPS,
    KEPT,
    attribute,
    group_paths,
    leaf_paths,
    swap_groups,
)
from raidsim.route.stage import Stage


def _names(v: Vehicle) -> dict[str, object]:
    return v.model_dump(exclude=set(KEPT))


@pytest.mark.parametrize("name", preset_names())
def test_groups_partition_every_parameter(name: str) -> None:
    car = load_vehicle(name)
    grouped = [p for g in GROUPS for p in group_paths(g, car)]
    assert sorted(grouped) == sorted(leaf_paths(car))  # each leaf once, none left out
    assert set(GROUP_NOTES) == set(GROUPS)
    for g in GROUPS:  # every entry names something (a typo would expand to nothing)
        for path in GROUPS[g]:
            assert any(p == path or p.startswith(path + ".") for p in leaf_paths(car)), path


def test_swap_none_is_the_base_and_swap_all_is_the_donor() -> None:
    base, donor = load_vehicle("d7x-r"), load_vehicle("sandrider")
    assert swap_groups(base, donor, []) == base
    every = swap_groups(base, donor, list(GROUPS))
    assert _names(every) == _names(donor)
    assert (every.name, every.category) == (base.name, base.category)


def test_one_group_moves_only_its_parameters() -> None:
    base, donor = load_vehicle("d7x-r"), load_vehicle("sandrider")
    car = swap_groups(base, donor, ["tyres"])
    assert car.tyre == donor.tyre
    assert car.tyre_pressure_front_bar == donor.tyre_pressure_front_bar == 1.4
    assert car.chassis == base.chassis and car.engine == base.engine
    car = swap_groups(base, donor, ["mass"])
    assert car.chassis.empty_mass_kg == donor.chassis.empty_mass_kg == 2010.0
    assert car.chassis.wheelbase_m == base.chassis.wheelbase_m  # body, not mass
    assert car.suspension_front.unsprung_mass_kg == donor.suspension_front.unsprung_mass_kg
    assert car.suspension_front.spring_rate_N_per_m == base.suspension_front.spring_rate_N_per_m


def test_unknown_group_is_refused_by_name() -> None:
    base = load_vehicle("d7x-r")
    with pytest.raises(ConfigError, match="unknown parameter group 'wings'.*'mass'"):
        swap_groups(base, base, ["wings"])


def test_effects_add_up_when_the_time_is_additive() -> None:
    """With a time that is a sum over parameters, the residual is zero; the donor-minus-
    base total and each group's effect are what the parameters give."""
    base, donor = load_vehicle("d7x-r"), load_vehicle("sandrider")

    def time_s(v: Vehicle, stage: Stage) -> float:
        return v.chassis.empty_mass_kg + 1000.0 * v.tyre.unloaded_radius_m

    r = attribute(base, donor, [_named_stage("x")], together=["mass+tyres"], time_s=time_s)
    assert r.effect_s["mass"] == (2010.0 - 2380.0,)
    assert r.together_s["mass+tyres"] == pytest.approx((-370.0 + 25.0,))
    assert r.effect_s["tyres"] == pytest.approx((1000.0 * (0.47 - 0.445),))
    assert r.effect_s["engine"] == (0.0,)
    assert r.residual_s == pytest.approx((0.0,), abs=1e-9)
    assert r.total_s == pytest.approx(r.sum_s)


class _NamedStage:
    def __init__(self, name: str) -> None:
        self.name = name


def _named_stage(name: str) -> Stage:
    return _NamedStage(name)  # type: ignore[return-value]


def test_swapping_every_group_gives_the_donor_qss_time_exactly() -> None:
    """No class factor: the base car with all the donor's parameters times exactly as the
    donor (same floats), and with none of them exactly as itself."""
    from raidsim.api import load_stage
    from raidsim.sim.qss import estimate

    stage = load_stage("dakar-2026/6")
    base, donor = load_vehicle("d7x-r"), load_vehicle("sandrider")
    every = swap_groups(base, donor, list(GROUPS))
    donor_s = estimate(donor, stage).summary["stage_time_s"]
    assert estimate(every, stage).summary["stage_time_s"] == donor_s
    none = swap_groups(base, donor, [])
    assert (
        estimate(none, stage).summary["stage_time_s"]
        == (estimate(base, stage).summary["stage_time_s"])
    )


def test_cli_refuses_bad_input_with_exit_2() -> None:
    from raidsim.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["attribute", "--group", "wings", "dakar-2026/6"])
    assert result.exit_code == 2 and "unknown parameter group 'wings'" in result.output
    result = runner.invoke(app, ["attribute", "--together", "mass+wings"])
    assert result.exit_code == 2 and "unknown parameter group 'wings' in 'mass+wings'" in (
        result.output
    )
    result = runner.invoke(app, ["attribute", "--donor", "nocar"])
    assert result.exit_code == 2 and "unknown vehicle 'nocar'" in result.output
    result = runner.invoke(app, ["attribute", "dakar-2026/99"])
    assert result.exit_code == 2 and "dakar-2026/99" in result.output


def _script() -> ModuleType:
    return load_script("make_attribution")


@pytest.mark.slow
def test_docs_attribution_is_what_the_generator_prints() -> None:
    m = _script()
    text = m.main([])
    said = m.DOC.read_text("utf-8")
    assert said == text, (
        "docs/attribution.md is stale: run python examples/make_attribution.py --write\n"
        f"--- docs\n{said}--- printed\n{text}"
    )
    assert m.COMMAND in text and m.GENERATED in text
