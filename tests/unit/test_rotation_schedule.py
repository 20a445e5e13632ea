"""The alternating rotation's arithmetic: which slot is active and which password_version each
slot carries, so that one step of rotation changes only the standby's password."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from provisioner.rotation import generation, slot_versions

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_one_generation_step_changes_only_the_new_active_slot():
    for g in range(6):
        before, after = slot_versions(g), slot_versions(g + 1)
        new_active = (g + 1) % 2
        assert before[1 - new_active] == after[1 - new_active]    # the account apps used keeps its password
        assert before[new_active] != after[new_active]            # the standby gets a new one, then is exported
        assert after[new_active] == str(g + 1)


def test_schedule_counts_whole_periods_plus_the_on_demand_counter():
    day = timedelta(days=1)
    assert generation(period=day, start=START, now=START + timedelta(hours=23)) == 0
    assert generation(period=day, start=START, now=START + timedelta(days=3, hours=1)) == 3
    assert generation(period=day, start=START, rotation=2, now=START + day) == 3
    assert generation(period=None, rotation=4) == 4
    assert generation(period=day, start=START, now=START - day) == 0   # a start in the future: not yet
    with pytest.raises(ValueError, match="positive"):
        generation(period=timedelta(0), start=START)


def test_the_recorded_generation_moves_one_step_per_up_and_never_back():
    from provisioner.rotation_state import RotationStateProvider
    provider = RotationStateProvider()
    created = provider.create({"target": 0}).outs
    assert created == {"target": 0, "generation": 0}
    olds = {**created, "__provider": "x"}
    assert provider.diff("id", olds, {"target": 0}).changes is False
    assert provider.diff("id", olds, {"target": 3}).changes is True
    assert provider.update("id", olds, {"target": 3}).outs["generation"] == 1
    behind = {"target": 0, "generation": 4.0}   # numbers come back from the engine as floats
    assert provider.diff("id", behind, {"target": 2}).changes is False
    assert provider.update("id", behind, {"target": 2}).outs["generation"] == 4
    assert provider.check({}, {"target": -1}).failures[0].property == "target"
    assert provider.check({}, {"target": 2.0}).inputs == {"target": 2}
