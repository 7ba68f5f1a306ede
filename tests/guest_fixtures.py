"""Fixtures of the guest access tests (a pytest plugin: see conftest.py)."""

from __future__ import annotations

from homeassistant.core import Event, HomeAssistant
import pytest

from custom_components.ttlock_access.const import (
    EVENT_GUEST_CODE_CREATED,
    EVENT_GUEST_CODE_FAILED,
    EVENT_GUEST_CODE_LEFT_ON_LOCK,
    EVENT_GUEST_CODE_REVOKED,
    EVENT_TURNOVER_CODE_CREATED,
)
from simulator import FakeTTLockCloud
from simulator.state import FakeLock

from .guest_common import StaysCalendar, async_setup_stays, lock_named


@pytest.fixture
async def stays(hass: HomeAssistant) -> StaysCalendar:
    return await async_setup_stays(hass)


@pytest.fixture
def front(fake_cloud: FakeTTLockCloud) -> FakeLock:
    return lock_named(fake_cloud, "Front door")


@pytest.fixture
def garage(fake_cloud: FakeTTLockCloud) -> FakeLock:
    return lock_named(fake_cloud, "Garage")


@pytest.fixture
def demo_ids(fake_cloud: FakeTTLockCloud) -> set[int]:
    return {
        code.passcode_id for lock in fake_cloud.locks.values() for code in lock.passcodes.values()
    }


@pytest.fixture
def events(hass: HomeAssistant) -> list[Event]:
    captured: list[Event] = []
    for event_type in (
        EVENT_GUEST_CODE_CREATED,
        EVENT_GUEST_CODE_FAILED,
        EVENT_GUEST_CODE_REVOKED,
        EVENT_GUEST_CODE_LEFT_ON_LOCK,
        EVENT_TURNOVER_CODE_CREATED,
    ):
        hass.bus.async_listen(event_type, captured.append)
    return captured
