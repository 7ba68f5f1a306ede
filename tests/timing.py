"""Letting simulated time pass until the integration does what its plan says it will."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from simulator.cloud import FakeTTLockCloud


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let time pass and the coordinators refresh."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    changed: Callable[[], bool],
    *,
    what: str,
    step: float,
    limit: timedelta,
) -> timedelta:
    """Tick until ``changed()``; how long it took (the test fails past ``limit``)."""
    waited = timedelta()
    while not changed():
        assert waited < limit, f"{what} not within {limit}"
        await tick(hass, freezer, step)
        waited += timedelta(seconds=step)
    return waited


async def until_called(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: FakeTTLockCloud,
    path: str,
    *,
    step: float = 60,
    limit: timedelta = timedelta(days=1),
) -> timedelta:
    """Let time pass, a step at a time, until the integration calls ``path``."""
    before = cloud.requests[path]
    return await _until(
        hass,
        freezer,
        lambda: cloud.requests[path] != before,
        what=f"{path} called",
        step=step,
        limit=limit,
    )


async def until_lock_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: ConfigEntry,
    lock_id: int,
    *,
    step: float = 60,
    limit: timedelta = timedelta(days=1),
) -> timedelta:
    """Let time pass until the integration reads this lock again (its plan's pace)."""
    locks = entry.runtime_data.locks
    before = locks.read_at(lock_id)
    return await _until(
        hass,
        freezer,
        lambda: locks.read_at(lock_id) != before,
        what=f"lock {lock_id} read",
        step=step,
        limit=limit,
    )
