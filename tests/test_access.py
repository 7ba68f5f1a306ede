"""Who can enter: eKeys, get_lock_users and each lock's access calendar.

Against the simulator over real HTTP: every credential of a lock in one view (never a
code or a card number), eKeys sent, re-dated, frozen and deleted, and the credentials'
windows on the lock's calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.ttlock_access.const import DOMAIN
from simulator.cloud import FakeTTLockCloud

from .test_init import lock_named

FRONT = "lock.front_door"
CALENDAR = "calendar.front_door_access"
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(NOW)


@pytest.fixture
def friend(fake_cloud: FakeTTLockCloud) -> str:
    """A second TTLock account, to send keys to."""
    return fake_cloud.add_account("alex@example.com", "secret").username


async def act(hass: HomeAssistant, action: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, action, data, target={"entity_id": FRONT}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response[FRONT])  # type: ignore[arg-type]


async def test_get_lock_users_shows_every_credential_never_a_secret(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    friend: str,
    snapshot: SnapshotAssertion,
) -> None:
    """Passcodes, cards, fingerprints and eKeys of the front door, in one list."""
    front = lock_named(fake_cloud, "Front door")
    await act(
        hass,
        "send_ekey",
        {"account": friend, "name": "Alex", "start": "2026-06-20 12:00", "end": "2026-06-27 12:00"},
    )
    fake_cloud.reset_requests()
    users = (await act(hass, "get_lock_users", {}))["users"]
    assert {"passcode", "card", "fingerprint", "ekey"} <= {user["type"] for user in users}
    assert users == snapshot
    text = str(users)
    for secret in (*(p.code for p in front.passcodes.values()), "1723612378", "2601548835"):
        assert secret not in text
    # One read of each list of the lock.
    assert fake_cloud.requests["/v3/lock/listKeyboardPwd"] == 1
    assert fake_cloud.requests["/v3/lock/listKey"] == 1
    assert fake_cloud.last_params["/v3/lock/listKey"]["orderBy"] == "1"


async def test_ekeys_send_redate_freeze_delete(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    friend: str,
) -> None:
    """A cloud record only: no gateway call; each change shows in the key."""
    front = lock_named(fake_cloud, "Front door")
    sent = await act(hass, "send_ekey", {"account": friend, "name": "Alex", "remote_unlock": True})
    assert sent["permanent"] is True
    assert sent["remote_unlock"] is True
    key = front.keys[sent["ekey_id"]]
    assert key.username == friend

    changed = await act(
        hass,
        "change_ekey_period",
        {"ekey_id": key.key_id, "start": "2026-07-01 09:00", "end": "2026-07-08 09:00"},
    )
    assert changed["permanent"] is False
    assert changed["valid_from"].startswith("2026-07-01T09:00")

    assert (await act(hass, "freeze_ekey", {"ekey_id": key.key_id, "frozen": True}))["frozen"]
    assert key.status == "110405"
    assert not (await act(hass, "freeze_ekey", {"ekey_id": key.key_id, "frozen": False}))["frozen"]

    assert (await act(hass, "delete_ekey", {"ekey_id": key.key_id}))["deleted"] is True
    assert front.keys == {}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"account": "nobody@example.com", "name": "X"}, "ekey_account_unknown"),
        ({"account": "demo@example.com", "name": "X"}, "ekey_to_admin"),
        (
            {"account": "alex@example.com", "name": "X", "start": "2026-07-01"},
            "ekey_window_incomplete",
        ),
    ],
    ids=["unknown_account", "the_admin", "start_only"],
)
async def test_ekey_refusals_are_translated(  # noqa: PLR0917
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    friend: str,
    data: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "send_ekey", data)
    assert err.value.translation_key == key
    assert lock_named(fake_cloud, "Front door").keys == {}


async def test_unknown_ekey(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "delete_ekey", {"ekey_id": 42})
    assert err.value.translation_key == "unknown_ekey"


async def test_access_calendar_shows_who_can_enter_when(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    friend: str,
    hass_client: ClientSessionGenerator,
) -> None:
    """Windows of codes, cards and keys as events; permanent ones have none; no secret."""
    front = lock_named(fake_cloud, "Front door")
    await act(
        hass,
        "send_ekey",
        {"account": friend, "name": "Alex", "start": "2026-06-20 12:00", "end": "2026-06-27 12:00"},
    )
    timed = await hass.services.async_call(
        DOMAIN,
        "create_passcode",
        {
            "type": "custom",
            "name": "Plumber",
            "start": "2026-06-16 09:00",
            "end": "2026-06-16 17:00",
        },
        target={"entity_id": FRONT},
        blocking=True,
        return_response=True,
    )
    assert timed is not None
    await init_integration.runtime_data.credentials.async_refresh()
    await hass.async_block_till_done()

    client = await hass_client()
    start = dt_util.as_utc(NOW).isoformat()
    end = (NOW + timedelta(days=30)).isoformat()
    response = await client.get(f"/api/calendars/{CALENDAR}", params={"start": start, "end": end})
    assert response.status == 200
    events = await response.json()
    summaries = [event["summary"] for event in events]
    assert "🔢 Plumber" in summaries
    assert "🔑 Alex" in summaries
    assert all("1723612378" not in str(event) for event in events)
    assert not any("Mum" in summary for summary in summaries)  # her card is permanent
    plumber = next(event for event in events if event["summary"] == "🔢 Plumber")
    assert plumber["start"]["dateTime"].startswith("2026-06-16T09:00")
    assert plumber["uid"] == f"passcode-{timed[FRONT]['passcode_id']}"  # type: ignore[index]

    state = hass.states.get(CALENDAR)
    assert state is not None
    first = events[0]  # in order: the window open now, else the next one
    assert state.attributes["message"] == first["summary"]
    opened = dt_util.parse_datetime(first["start"]["dateTime"])
    assert opened is not None
    assert state.state == ("on" if opened <= NOW else "off")
    assert len(front.keys) == 1


def test_status_of_each_window() -> None:
    """Scheduled, active, expired, frozen: from the window and the key's state."""
    from custom_components.ttlock_access.access import (  # noqa: PLC0415
        AccessStatus,
        LockCredentials,
        accesses,
    )
    from custom_components.ttlock_access.api import EKey  # noqa: PLC0415

    def key(key_id: int, start: int | None, end: int | None, *, frozen: bool = False) -> EKey:
        hours = [None if x is None else NOW + timedelta(hours=x) for x in (start, end)]
        return EKey(key_id, 1, "a@b.c", f"k{key_id}", hours[0], hours[1], frozen, False, None)

    found = accesses(
        LockCredentials(
            keys=(
                key(1, 1, 2),
                key(2, -1, 1),
                key(3, -2, -1),
                key(4, None, None, frozen=True),
                key(5, None, None),
            )
        ),
        NOW,
    )
    assert [access.status for access in found] == [
        AccessStatus.SCHEDULED,
        AccessStatus.ACTIVE,
        AccessStatus.EXPIRED,
        AccessStatus.FROZEN,
        AccessStatus.ACTIVE,
    ]
    assert found[0].summary == "🔑 k1"


async def test_a_recurring_ekey_opens_on_its_weekdays(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    friend: str,
    hass_client: ClientSessionGenerator,
) -> None:
    """Weekdays sent Sunday-first as TTLock counts them; one calendar window per day."""
    front = lock_named(fake_cloud, "Front door")
    sent = await act(
        hass,
        "send_ekey",
        {
            "account": friend,
            "name": "Cleaner",
            "start": "2026-06-15 09:00",
            "end": "2026-06-28 12:00",
            "weekdays": ["monday", "saturday"],
        },
    )
    assert sent["weekdays"] == ["monday", "saturday"]
    assert (sent["daily_from"], sent["daily_to"]) == ("09:00", "12:00")
    key = front.keys[sent["ekey_id"]]
    assert key.key_type == 4
    assert sorted(key.weekdays) == [2, 7]  # Monday and Saturday, 1 = Sunday

    users = (await act(hass, "get_lock_users", {}))["users"]
    cleaner = next(user for user in users if user["type"] == "ekey")
    assert cleaner["weekdays"] == ["monday", "saturday"]

    await init_integration.runtime_data.credentials.async_refresh()
    await hass.async_block_till_done()
    client = await hass_client()
    response = await client.get(
        f"/api/calendars/{CALENDAR}",
        params={"start": NOW.isoformat(), "end": (NOW + timedelta(days=30)).isoformat()},
    )
    starts = [
        event["start"]["dateTime"][:16]
        for event in await response.json()
        if event["summary"] == "🔑 Cleaner"
    ]
    # Mondays 15 and 22, Saturdays 20 and 27 June (Home Assistant's zone: US/Pacific).
    assert starts == [
        "2026-06-15T09:00",
        "2026-06-20T09:00",
        "2026-06-22T09:00",
        "2026-06-27T09:00",
    ]


async def test_a_recurring_ekey_needs_its_window(
    hass: HomeAssistant, init_integration: MockConfigEntry, friend: str
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "send_ekey", {"account": friend, "name": "X", "weekdays": ["monday"]})
    assert err.value.translation_key == "ekey_window_incomplete"
    with pytest.raises(ServiceValidationError) as err:
        await act(
            hass,
            "send_ekey",
            {
                "account": friend,
                "name": "X",
                "weekdays": ["monday"],
                "start": "2026-06-15 18:00",
                "end": "2026-06-28 08:00",
            },
        )
    assert err.value.translation_key == "ekey_daily_times"
