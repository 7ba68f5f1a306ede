"""IC cards and fingerprints: counts, the list action, add, rename, re-date, delete.

Against the simulator over real HTTP. Card and fingerprint numbers never leave the
integration: not in states, responses or logs.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.ttlock_access.const import DOMAIN
from simulator.cloud import FakeTTLockCloud
from simulator.protocol import FEATURE_IC_CARD
from simulator.state import FakeLock

from .test_init import lock_named

FRONT = "lock.front_door"
VOLATILE = ("card_id", "fingerprint_id", "valid_from", "valid_to")


async def act(
    hass: HomeAssistant, action: str, data: dict[str, Any], target: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Perform an action of the integration and return its response."""
    response = await hass.services.async_call(
        DOMAIN,
        action,
        data,
        target=target or {"entity_id": FRONT},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


def _garage_device(hass: HomeAssistant) -> str:
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    entity = er.async_get(hass).async_get("sensor.garage_battery")
    assert entity is not None
    assert entity.device_id is not None
    return entity.device_id


async def test_counts_and_the_list_never_show_numbers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    snapshot: SnapshotAssertion,
) -> None:
    """One card and one fingerprint on the front door; the list says who, not the number."""
    assert hass.states.get("sensor.front_door_ic_cards").state == "1"
    assert hass.states.get("sensor.front_door_fingerprints").state == "1"
    assert hass.states.get("sensor.garage_ic_cards").state == "0"  # a Bluetooth lock too
    fake_cloud.reset_requests()
    response = await act(hass, "list_credentials", {})
    assert response == snapshot
    assert "1723612378" not in str(response)
    assert "2601548835" not in str(response)
    assert fake_cloud.requests["/v3/identityCard/list"] == 1
    assert fake_cloud.requests["/v3/fingerprint/list"] == 1


async def test_add_a_card_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """Through the gateway, stored as the lock's reader order; asked twice, one card."""
    front = lock_named(fake_cloud, "Front door")
    data = {"card_number": "3661413478", "name": "Cleaner", "start": "2026-07-01 09:00:00"}
    data["end"] = "2026-07-31 18:00:00"
    response = (await act(hass, "add_card", data))[FRONT]
    assert response["added"] is True
    assert response["name"] == "Cleaner"
    assert response["permanent"] is False
    card = front.cards[response["card_id"]]
    assert card.number == "1723612378"  # the bytes turned, as the cloud documents
    assert fake_cloud.last_params["/v3/identityCard/addForReversedCardNumber"]["addType"] == "2"
    assert hass.states.get("sensor.front_door_ic_cards").state == "2"

    again = (await act(hass, "add_card", data))[FRONT]
    assert again["added"] is False
    assert again["card_id"] == response["card_id"]
    assert len(front.cards) == 2


async def test_a_card_whose_answer_was_lost_is_adopted(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """The cloud added it but the answer never came: found on the list, not added again."""
    front = lock_named(fake_cloud, "Front door")
    fake_cloud.fail_next(
        "/v3/identityCard/addForReversedCardNumber", after_commit=True, disconnect=True
    )
    response = (await act(hass, "add_card", {"card_number": "123456", "name": "Guest"}))[FRONT]
    assert response["added"] is True
    assert response["permanent"] is True
    assert [c.name for c in front.cards.values()].count("Guest") == 1


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"card_number": "12ab", "name": "X"}, None),
        ({"card_number": "1" * 21, "name": "X"}, None),
        ({"card_number": "123", "name": "X", "start": "2026-07-01 09:00:00"}, "window"),
        (
            {
                "card_number": "123",
                "name": "X",
                "start": "2026-07-02 09:00:00",
                "end": "2026-07-01 09:00:00",
            },
            "end_before_start",
        ),
    ],
    ids=["letters", "too_long", "start_only", "end_first"],
)
async def test_bad_card_input_adds_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    data: dict[str, Any],
    key: str | None,
) -> None:
    front = lock_named(fake_cloud, "Front door")
    with pytest.raises((ServiceValidationError, probatio.Invalid)) as err:
        await act(hass, "add_card", data)
    if key == "window":
        assert err.value.translation_key == "credential_window_incomplete"  # type: ignore[union-attr]
    elif key is not None:
        assert err.value.translation_key == key  # type: ignore[union-attr]
    assert len(front.cards) == 1
    assert fake_cloud.requests["/v3/identityCard/addForReversedCardNumber"] == 0


async def test_refusals_are_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """No gateway, a full lock, an unknown id: each says what is wrong."""
    garage = {"device_id": _garage_device(hass)}
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "add_card", {"card_number": "1", "name": "X"}, garage)
    assert err.value.translation_key == "credential_gateway_required"

    front = lock_named(fake_cloud, "Front door")
    fake_cloud.fail_next("/v3/identityCard/addForReversedCardNumber", errcode=-4056)
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "add_card", {"card_number": "1", "name": "X"})
    assert err.value.translation_key == "cloud_credential_limit"
    assert len(front.cards) == 1

    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "delete_credential", {"kind": "card", "credential_id": 99})
    assert err.value.translation_key == "unknown_credential"
    assert err.value.translation_placeholders == {
        "kind": "card",
        "credential_id": "99",
        "lock_name": "Front door",
    }


async def test_a_lock_without_card_reader(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """No card sensor, and the action says the lock reads no cards."""
    back: FakeLock = lock_named(fake_cloud, "Back door")
    back.features &= ~(1 << FEATURE_IC_CARD)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.back_door_ic_cards") is None
    with pytest.raises(ServiceValidationError) as err:
        await act(
            hass, "add_card", {"card_number": "1", "name": "X"}, {"entity_id": "lock.back_door"}
        )
    assert err.value.translation_key == "cards_not_supported"


async def test_rename_redate_delete(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Rename (cloud only), a new window (gateway), delete (gateway): the lock follows."""
    caplog.set_level(logging.DEBUG)
    front = lock_named(fake_cloud, "Front door")
    (card_id,) = front.cards
    (fingerprint_id,) = front.fingerprints
    await act(
        hass,
        "rename_credential",
        {"kind": "fingerprint", "credential_id": fingerprint_id, "name": "Alex left thumb"},
    )
    assert front.fingerprints[fingerprint_id].name == "Alex left thumb"

    window = {"start": "2026-07-01 09:00:00", "end": "2026-08-01 09:00:00"}
    response = await act(
        hass, "change_credential_period", {"kind": "card", "credential_id": card_id, **window}
    )
    assert response[FRONT]["valid_from"].startswith("2026-07-01T09:00:00")
    assert front.cards[card_id].end_ms > front.cards[card_id].start_ms > 0
    assert fake_cloud.last_params["/v3/identityCard/changePeriod"]["changeType"] == "2"

    await act(hass, "delete_credential", {"kind": "card", "credential_id": card_id})
    assert front.cards == {}
    assert hass.states.get("sensor.front_door_ic_cards").state == "0"
    assert "1723612378" not in caplog.text


async def test_a_restart_reads_no_list_that_is_not_due(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_storage: dict[str, Any],
) -> None:
    """What the lists showed is kept (without a secret); a restart reads none of them."""
    await hass.async_block_till_done()
    credentials = init_integration.runtime_data.credentials
    assert credentials.data
    fake_cloud.reset_requests()
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    stored = str(hass_storage[f"{DOMAIN}.credentials.{init_integration.entry_id}"])
    assert "1723612378" not in stored  # written at the unload, without a secret
    assert all(
        p.code not in stored for p in lock_named(fake_cloud, "Front door").passcodes.values()
    )
    for path in (
        "/v3/lock/listKeyboardPwd",
        "/v3/identityCard/list",
        "/v3/fingerprint/list",
        "/v3/lock/listKey",
    ):
        assert fake_cloud.requests[path] == 0, path
    assert hass.states.get("sensor.front_door_ic_cards").state == "1"


async def test_a_damaged_store_is_read_again(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    hass_storage: dict[str, Any],
) -> None:
    """Unreadable items are dropped (and said so); their locks' lists are read afresh."""
    key = f"{DOMAIN}.credentials.{mock_config_entry.entry_id}"
    hass_storage[key] = {"version": 1, "key": key, "data": {"3100001": {"read_at": "never"}}}
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_ic_cards").state == "1"
    assert fake_cloud.requests["/v3/identityCard/list"] >= 1


async def test_codes_written_here_show_without_a_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """A code made or deleted by an action changes the view at no list call."""
    fake_cloud.reset_requests()
    made = await act(
        hass,
        "create_passcode",
        {
            "type": "custom",
            "name": "Painter",
            "start": "2027-07-01 08:00",
            "end": "2027-07-03 18:00",
        },
    )
    view = init_integration.runtime_data.credentials.data[
        lock_named(fake_cloud, "Front door").lock_id
    ]
    assert any(a.name == "Painter" for a in view.accesses)
    await act(hass, "delete_passcode", {"passcode_id": made[FRONT]["passcode_id"]})
    view = init_integration.runtime_data.credentials.data[
        lock_named(fake_cloud, "Front door").lock_id
    ]
    assert not any(a.name == "Painter" for a in view.accesses)
