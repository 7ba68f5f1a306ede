"""Hostile action inputs: every action, every field; a clear error, nothing made, no traceback.

Each case starts from a call that is valid and replaces one field with a hostile value
(wrong type, size, unicode, overflow, injection text). Whatever the value, the call must
be refused with Home Assistant's own schema error or a translated error of this
integration; the simulated cloud must have received no write and hold no new code; and
nothing may be logged with a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from simulator import FakeTTLockCloud
from simulator.state import FakeLock

from .guest_common import CALENDAR, StaysCalendar, guest_codes

NOW = datetime(2026, 6, 15, 10, 20, tzinfo=UTC)
FRONT = "lock.front_door"
WRITES = (
    "/v3/keyboardPwd/add",
    "/v3/keyboardPwd/get",
    "/v3/keyboardPwd/change",
    "/v3/keyboardPwd/delete",
    "/v3/identityCard/addForReversedCardNumber",
    "/v3/identityCard/rename",
    "/v3/identityCard/changePeriod",
    "/v3/identityCard/delete",
    "/v3/fingerprint/rename",
    "/v3/fingerprint/changePeriod",
    "/v3/fingerprint/delete",
    "/v3/lock/configPassageMode",
    "/v3/key/send",
    "/v3/key/changePeriod",
    "/v3/key/freeze",
    "/v3/key/unfreeze",
    "/v3/key/delete",
)
# Stands for the front door's card (its id is the simulator's).
CARD = "card-id"

# Values no field of these actions may take.
OVERFLOW = ["9999-12-31 23:59:59", "0001-01-01 00:00:00", "1900-01-01", "2150-06-01"]
NOT_A_DATE = ["tomorrow", "", "2026-13-45 25:61:00", 1e400, -1, [], {"a": 1}]
NOT_A_NAME = ["", "   ", "x" * 101, "x" * 10_000, "bad\x00name", "tab\tname", "rtl\u202ename"]
NOT_A_CODE = ["12", "1" * 10, "abcd", "١٢٣٤٥٦", "12 34", "9" * 400, "1234", "123456", 10**40]
NOT_AN_ID = [0, -1, 2**64, "x", 1e400, None, [1], "1; DROP TABLE"]
NOT_AN_HOUR = [-1, 24, 10**12, "noon", None]
NOT_A_CARD_NUMBER = ["", "12ab", "1" * 21, "-5", 1e400, "١٢٣٤", "12 34", None, [1]]
NOT_A_KIND = ["bogus", "Card", None, 1, ["card"]]

# action -> (a valid call, {field: hostile values})
CASES: dict[str, tuple[dict[str, Any], dict[str, list[Any]]]] = {
    "create_passcode": (
        {"type": "timed", "name": "Plumber", "end": "2026-06-16 12:00:00"},
        {
            "type": ["bogus", 3, None, ["timed"]],
            "name": NOT_A_NAME,
            "start": OVERFLOW + NOT_A_DATE,
            "end": OVERFLOW + NOT_A_DATE,
            "code": NOT_A_CODE,  # no code for a timed one, and none of these anyway
            "confirm": ["maybe", [True]],
        },
    ),
    "create_passcode_custom": (
        {"type": "custom", "name": "Cleaner", "end": "2026-06-16 12:00:00"},
        {"code": NOT_A_CODE, "end": OVERFLOW},
    ),
    "create_passcode_recurring": (
        {"type": "recurring", "name": "Gardener", "cycle": "monday", "start_hour": 8},
        {"cycle": ["someday", 1, None], "start_hour": NOT_AN_HOUR, "end_hour": NOT_AN_HOUR},
    ),
    "create_guest_passcode": (
        {
            "calendar": CALENDAR,
            "event_start": "2026-06-17 15:00:00",
            "event_end": "2026-06-19 10:00:00",
        },
        {
            "calendar": ["calendar.nowhere", "lock.front_door", "", 5],
            "event_uid": ["", "x" * 1001, "no-such-uid", 12],
            "event_start": OVERFLOW + NOT_A_DATE,
            "event_end": OVERFLOW + NOT_A_DATE,
            "event_summary": ["x" * 1001],
            "margin": [-1, 241, 1e400, "soon", None],
            "name": NOT_A_NAME,
        },
    ),
    "change_passcode": (
        {"passcode_id": 51000001, "name": "Family"},
        {
            "passcode_id": NOT_AN_ID,
            "code": NOT_A_CODE[:7],  # 1234 and 123456: too simple
            "start": OVERFLOW + NOT_A_DATE,
            "end": OVERFLOW + NOT_A_DATE,
            "name": NOT_A_NAME,
        },
    ),
    "delete_passcode": ({"passcode_id": 1}, {"passcode_id": NOT_AN_ID}),
    "list_passcodes": ({}, {"reveal": ["maybe", None, [1]]}),
    "list_credentials": ({}, {"reveal": [True]}),
    "add_card": (
        {"card_number": "123456", "name": "Cleaner"},
        {
            "card_number": NOT_A_CARD_NUMBER,
            "name": NOT_A_NAME,
            "start": OVERFLOW + NOT_A_DATE,
            "end": OVERFLOW + NOT_A_DATE,
        },
    ),
    "rename_credential": (
        {"kind": "card", "credential_id": CARD, "name": "Mum"},
        {"kind": NOT_A_KIND, "credential_id": NOT_AN_ID, "name": NOT_A_NAME},
    ),
    "change_credential_period": (
        {
            "kind": "card",
            "credential_id": CARD,
            "start": "2026-07-01 09:00:00",
            "end": "2026-08-01 09:00:00",
        },
        {
            "kind": NOT_A_KIND,
            "credential_id": NOT_AN_ID,
            "start": OVERFLOW + NOT_A_DATE + ["2026-08-02 09:00:00"],
            "end": OVERFLOW + NOT_A_DATE + ["2026-06-30 09:00:00"],
        },
    ),
    "delete_credential": (
        {"kind": "card", "credential_id": CARD},
        {"kind": NOT_A_KIND, "credential_id": NOT_AN_ID},
    ),
    "set_passage_mode_schedule": (
        {"weekdays": ["monday"], "start": "08:00", "end": "18:00"},
        {
            "weekdays": ["funday", [], None, 5, ["monday", "funday"]],
            "start": ["25:00", "noon", 1e400, "19:00", None],
            "end": ["24:61", "later", -1, "07:00"],
            "auto_unlock": ["maybe", [True]],
        },
    ),
    "send_ekey": (
        {"account": "alex@example.com", "name": "Alex"},
        {
            "account": ["", "not an account", "x" * 200, None, "demo@example.com", 12],
            "name": NOT_A_NAME,
            "start": OVERFLOW + NOT_A_DATE,
            "end": OVERFLOW + NOT_A_DATE,
            "remote_unlock": ["maybe", [True]],
        },
    ),
    "change_ekey_period": (
        {"ekey_id": 1, "start": "2026-07-01 09:00:00", "end": "2026-08-01 09:00:00"},
        {"ekey_id": NOT_AN_ID, "start": OVERFLOW + NOT_A_DATE, "end": OVERFLOW + NOT_A_DATE},
    ),
    "freeze_ekey": ({"ekey_id": 1, "frozen": True}, {"ekey_id": NOT_AN_ID, "frozen": ["maybe"]}),
    "delete_ekey": ({"ekey_id": 1}, {"ekey_id": NOT_AN_ID}),
    "get_lock_users": ({}, {"reveal": [True]}),
    "get_guest_code": (
        {"calendar": CALENDAR, "event_uid": "a"},
        {
            "calendar": ["calendar.nowhere", "", None],
            "event_uid": ["", "x" * 1001, None, "no-such-uid"],
            "lock_id": NOT_AN_ID,
            "lock_entity_id": ["sensor.garage_battery", "lock.nowhere", "", 3],
        },
    ),
}


def _calls() -> list[tuple[str, str, Any]]:
    return [
        (case, field, value)
        for case, (_valid, fields) in CASES.items()
        for field, values in fields.items()
        for value in values
    ]


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


def _credentials(lock: FakeLock) -> list[tuple[int, str, int, int]]:
    return [
        (item.credential_id, item.name, item.start_ms, item.end_ms)
        for item in (*lock.cards.values(), *lock.fingerprints.values())
    ]


def _all_codes(cloud: FakeTTLockCloud) -> set[int]:
    return {code.passcode_id for lock in cloud.locks.values() for code in lock.passcodes.values()}


async def test_hostile_inputs_are_refused(  # noqa: PLR0917
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_cloud: FakeTTLockCloud,
    stays: StaysCalendar,
    front: FakeLock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every hostile value of every field: refused, nothing made, no traceback."""
    stays.add("a", NOW + timedelta(days=2), NOW + timedelta(days=4), "Adams")
    caplog.set_level(logging.DEBUG)
    before = _all_codes(fake_cloud)
    card_id = next(iter(front.cards))
    credentials = _credentials(front)
    writes = [fake_cloud.requests[path] for path in WRITES]
    accepted: list[str] = []
    untranslated: list[str] = []
    for case, field, value in _calls():
        valid, _fields = CASES[case]
        action = case.removesuffix("_custom").removesuffix("_recurring")
        data = {**valid, field: value}
        if data.get("credential_id") == CARD:
            data["credential_id"] = card_id
        if field == "code" and case == "change_passcode" and value in ("1234", "123456"):
            data.pop("name")
        target = None if action == "get_guest_code" else {"entity_id": FRONT}
        try:
            await hass.services.async_call(
                DOMAIN, action, data, target=target, blocking=True, return_response=True
            )
        except probatio.Invalid:
            pass  # Home Assistant's own schema error, naming the field
        except HomeAssistantError as err:
            if err.translation_domain != DOMAIN or not err.translation_key:
                untranslated.append(f"{case}.{field}={value!r:.40}: {err}")
        else:
            accepted.append(f"{case}.{field}={value!r:.40}")
    assert accepted == [], "\n".join(accepted)
    assert untranslated == []
    assert _all_codes(fake_cloud) == before
    assert [fake_cloud.requests[path] for path in WRITES] == writes
    assert guest_codes(front, before) == []
    assert _credentials(front) == credentials
    tracebacks = [r for r in caplog.records if r.exc_info and "aiohttp" not in r.name]
    assert tracebacks == []


async def test_dates_out_of_range_name_the_field(
    hass: HomeAssistant, init_integration: MockConfigEntry, stays: StaysCalendar
) -> None:
    """Year 9999 was a raw OverflowError: now a translated error naming the field."""
    for action, data, field in (
        ("create_passcode", {"type": "timed", "name": "x", "end": "9999-12-31"}, "end"),
        ("create_passcode", {"type": "timed", "name": "x", "start": "0001-01-01"}, "start"),
        (
            "create_guest_passcode",
            {"calendar": CALENDAR, "event_start": "9999-12-30", "event_end": "9999-12-31"},
            "event_start",
        ),
    ):
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(
                DOMAIN, action, data, target={"entity_id": FRONT}, blocking=True
            )
        assert err.value.translation_key == "date_out_of_range"
        assert err.value.translation_placeholders == {
            "field": field,
            "earliest": "2000-01-01",
            "latest": "2099-12-31",
        }


async def test_odd_but_valid_names_are_kept_trimmed(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_cloud: FakeTTLockCloud
) -> None:
    """Unicode and quotes are names like any other; surrounding blanks go."""
    for name in ("  Zoë 🌷  ", "O'Brien; DROP TABLE codes", "名前"):
        response = await hass.services.async_call(
            DOMAIN,
            "create_passcode",
            {"type": "one_time", "name": name},
            target={"entity_id": FRONT},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        assert response[FRONT]["name"] == name.strip()  # type: ignore[index]
