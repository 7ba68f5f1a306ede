"""Shared by the blueprint tests: the repository's blueprints in the config, a real calendar.

A real local_calendar (the ``ical`` package) holds the stays, as a host's does.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .guest_common import CALENDAR

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "ttlock_access"

__all__ = ["BLUEPRINTS", "add_stay", "hass_config_dir", "local_calendar"]


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> Generator[str]:
    """A temporary config directory holding the repository's blueprints."""
    shutil.copytree(BLUEPRINTS, Path(hass_tmp_config_dir, "blueprints/automation/ttlock_access"))
    Path(hass_tmp_config_dir, ".storage").mkdir()  # where local_calendar keeps its file
    return hass_tmp_config_dir  # type: ignore[return-value]


async def local_calendar(hass: HomeAssistant) -> None:
    """Add a local calendar named Stays (calendar.stays)."""
    entry = MockConfigEntry(domain="local_calendar", data={"calendar_name": "Stays"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(CALENDAR) is not None


async def add_stay(
    hass: HomeAssistant, summary: str, start: datetime, end: datetime, description: str = ""
) -> None:
    """Book a stay in it, as the host's calendar does."""
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "summary": summary,
            "description": description,
            "start_date_time": dt_util.as_local(start).isoformat(),
            "end_date_time": dt_util.as_local(end).isoformat(),
        },
        target={"entity_id": CALENDAR},
        blocking=True,
    )
