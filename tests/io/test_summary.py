"""The one stage summary (raidsim.io.summary): typed fields, its JSON form, and the
summaries older versions wrote."""

from __future__ import annotations

import json

import pytest
from support.summary import example_summary

from raidsim.io.summary import StageSummary, upgrade_json


def test_the_json_form_round_trips_and_leaves_out_what_a_tier_lacks() -> None:
    s = example_summary(bog_downs=1)
    data = json.loads(json.dumps(s.to_json()))
    assert "real_time_factor" not in data and data["bog_downs"] == 1
    assert StageSummary.from_json(data) == s
    assert s["stage_time_s"] == s.stage_time_s == 400.0
    assert dict(s) == s.to_json()
    with pytest.raises(KeyError):
        s["real_time_factor"]  # the transient's, None here


def test_with_values_returns_a_changed_copy() -> None:
    s = example_summary()
    t = s.with_values(time_loss={"power_s": 3.0})
    assert t.time_loss == {"power_s": 3.0} and s.time_loss is None


def test_landings_of_older_files_are_renamed_by_tier() -> None:
    """Before the typed summary, ``landings`` was the detected landings in a transient
    summary and the number of jumps in a QSS one."""
    transient = {"stage_time_s": 10.0, "steps": 10000, "landings": 7}
    assert upgrade_json(transient) == {
        "stage_time_s": 10.0,
        "steps": 10000,
        "tier": "transient",
        "landings_detected": 7,
    }
    qss = {"stage_time_s": 10.0, "landings": 4}
    assert upgrade_json(qss) == {"stage_time_s": 10.0, "tier": "qss", "jumps": 4}
    # this version's keys pass unchanged
    new = example_summary().to_json()
    assert upgrade_json(new) == new
