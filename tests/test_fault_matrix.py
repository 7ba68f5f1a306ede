"""The guest access fault matrix, a few seeds (scripts/fault-matrix runs many, longer)."""

from __future__ import annotations

import os
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import FakeTTLockCloud

from .fault_matrix import FaultMatrix
from .guest_common import StaysCalendar


def _seeds() -> list[int]:
    """Seeds from FAULT_MATRIX_SEEDS ("1-200" or "3,7"), else three."""
    spec = os.environ.get("FAULT_MATRIX_SEEDS", "1-3")
    seeds: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        seeds += range(int(first), int(last or first) + 1)
    return seeds


@pytest.mark.parametrize("seed", _seeds())
async def test_fault_matrix(  # noqa: PLR0917
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_storage: dict[str, Any],
    stays: StaysCalendar,
    demo_ids: set[int],
    seed: int,
) -> None:
    """Weeks of stays under lost answers, outages, restarts and crashes: no violation."""
    days = int(os.environ.get("FAULT_MATRIX_DAYS", "21"))
    matrix = FaultMatrix(
        hass, freezer, mock_config_entry, fake_cloud, hass_storage, stays, demo_ids, seed
    )
    report = await matrix.async_run(days)
    print(report.summary())
    for violation in report.violations:
        print(f"  violation: {violation}")
    assert report.violations == []
    # The run did exercise what it claims to (three weeks or more: CI's and longer).
    if days >= 21:
        assert report.stays >= 15
        assert report.restarts + report.crashes >= 1
        assert sum(report.faults.values()) >= 20
