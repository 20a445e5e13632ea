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
