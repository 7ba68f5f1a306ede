"""Unit tests of the passcode rules (no cloud involved)."""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime, timedelta
import random
from zoneinfo import ZoneInfo

from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest

from custom_components.ttlock_access.api import (
    Lock,
    Passcode,
    PasscodeType,
)
from custom_components.ttlock_access.passcode_manager import PasscodeManager
from custom_components.ttlock_access.passcodes import (
    CYCLE_TYPES,
    Cycle,
    PasscodeKind,
    PasscodeRequest,
    PasscodeResult,
    add_month,
    ceil_hour,
    ceil_minute,
    counts_against_quota,
    first_use_deadline,
    floor_hour,
    floor_minute,
    generate_code,
    guest_window,
    is_too_simple,
    kind_of,
    mask_code,
    month_key,
    next_cycle_day,
    next_month_start,
    plan_passcode,
    usable_offline_start,
    validate_custom_code,
)

PARIS = ZoneInfo("Europe/Paris")
# A Wednesday.
NOW = datetime(2026, 6, 17, 10, 20, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def paris_time_zone() -> Generator[None]:
    """Rules run in Home Assistant's time zone: make it a known one."""
    dt_util.set_default_time_zone(PARIS)
    yield
    dt_util.set_default_time_zone(UTC)


def make_lock(
    *, gateway: bool = True, version: int | None = 4, init: datetime | None = None
) -> Lock:
    return Lock(
        lock_id=1,
        name="Front door",
        bluetooth_name="M201_abc",
        mac="AA:BB",
        battery=90,
        feature_value=0,
        has_gateway=gateway,
        passcode_version=version,
        init_date=init,
    )


def make_passcode(
    type_: PasscodeType, *, custom: bool = False, created: datetime | None = None, pid: int = 9
) -> Passcode:
    return Passcode(
        passcode_id=pid,
        lock_id=1,
        code="4829137",
        name="x",
        type=type_,
        is_custom=custom,
        start=None,
        end=None,
        created=created,
    )


def raises_key(key: str) -> pytest.RaisesExc[ServiceValidationError]:
    return pytest.raises(
        ServiceValidationError, match=None, check=lambda e: e.translation_key == key
    )


@pytest.mark.parametrize(
    ("code", "simple"),
    [
        ("1111", True),
        ("1234", True),
        ("4321", True),
        ("7890", True),
        ("0987", True),
        ("1212", True),
        ("123123", True),
        ("482913", False),
        ("1357", False),
        ("12345679", False),
    ],
)
def test_too_simple(code: str, simple: bool) -> None:
    assert is_too_simple(code) is simple


def test_validate_custom_code() -> None:
    assert validate_custom_code(" 482913 ") == "482913"
    with raises_key("code_not_digits"):
        validate_custom_code("48a9")
    with raises_key("code_not_digits"):
        validate_custom_code("\uff14\uff18\uff12\uff19")  # full-width digits are not ASCII
    with raises_key("code_length") as err:
        validate_custom_code("482")
    assert err.value.translation_placeholders == {"min": "4", "max": "9", "length": "3"}
    with raises_key("code_length"):
        validate_custom_code("4829137465")
    with raises_key("code_too_simple"):
        validate_custom_code("5555")


def test_mask_code() -> None:
    assert mask_code("482913") == "****13"
    assert mask_code("12") == "**"
    assert mask_code("") == ""
    assert mask_code(None) == ""


def test_generate_code_avoids_taken_and_simple() -> None:
    rng = random.Random(4)
    taken = {"482913", "9999"}
    for _ in range(200):
        code = generate_code(taken, rng=rng)
        assert len(code) == 6
        assert code.isdigit()
        assert code[0] != "0"
        assert not is_too_simple(code)
        assert not code.startswith("9999")
        assert code not in taken
    # Without an rng: the system's.
    assert len(generate_code((), length=8)) == 8


def test_generate_code_redraws() -> None:
    """Draws that clash with an existing code, start with 0 or are trivial are redrawn."""

    class Scripted(random.Random):
        def __init__(self, digits: str) -> None:
            super().__init__()
            self.digits = iter(digits)

        def choice(self, seq):  # type: ignore[no-untyped-def, override]
            return next(self.digits)

    rng = Scripted("482913012345111111582913")
    assert generate_code({"482913"}, rng=rng) == "582913"


def test_rounding() -> None:
    moment = datetime(2026, 6, 17, 10, 20, 30, tzinfo=PARIS)
    assert floor_hour(moment) == datetime(2026, 6, 17, 10, tzinfo=PARIS)
    assert ceil_hour(moment) == datetime(2026, 6, 17, 11, tzinfo=PARIS)
    assert ceil_hour(floor_hour(moment)) == floor_hour(moment)
    assert floor_minute(moment) == datetime(2026, 6, 17, 10, 20, tzinfo=PARIS)
    assert ceil_minute(moment) == datetime(2026, 6, 17, 10, 21, tzinfo=PARIS)
    assert ceil_minute(floor_minute(moment)) == floor_minute(moment)
    # UTC input is rounded in the local zone.
    assert floor_hour(moment.astimezone(UTC)) == datetime(2026, 6, 17, 10, tzinfo=PARIS)


def test_months() -> None:
    assert add_month(datetime(2026, 1, 31, 9, tzinfo=PARIS)) == datetime(
        2026, 2, 28, 9, tzinfo=PARIS
    )
    assert add_month(datetime(2026, 12, 15, tzinfo=PARIS)) == datetime(2027, 1, 15, tzinfo=PARIS)
    assert month_key(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "2026-07"  # Paris: July
    assert next_month_start(NOW) == datetime(2026, 7, 1, tzinfo=PARIS)
    assert next_month_start(datetime(2026, 12, 3, tzinfo=PARIS)) == datetime(
        2027, 1, 1, tzinfo=PARIS
    )


def test_kinds_and_quota_rules() -> None:
    assert kind_of(make_passcode(PasscodeType.PERIOD, custom=True)) is PasscodeKind.CUSTOM
    assert kind_of(make_passcode(PasscodeType.PERIOD)) is PasscodeKind.TIMED
    assert kind_of(make_passcode(PasscodeType.ONE_TIME)) is PasscodeKind.ONE_TIME
    assert kind_of(make_passcode(PasscodeType.PERMANENT)) is PasscodeKind.PERMANENT
    assert kind_of(make_passcode(PasscodeType.ERASE)) is PasscodeKind.ERASE
    assert kind_of(make_passcode(PasscodeType.SUNDAY)) is PasscodeKind.RECURRING
    # The README's rule: custom, timed, permanent and recurring codes count.
    assert [kind for kind in PasscodeKind if not counts_against_quota(kind)] == [
        PasscodeKind.ONE_TIME,
        PasscodeKind.ERASE,
    ]
    start = datetime(2026, 6, 17, 10, tzinfo=PARIS)
    assert first_use_deadline(PasscodeKind.ONE_TIME, start) == start + timedelta(hours=6)
    assert first_use_deadline(PasscodeKind.TIMED, start) == start + timedelta(hours=24)


def test_first_month_exemption() -> None:
    lock = make_lock(init=datetime(2026, 5, 20, 12, tzinfo=PARIS))
    assert PasscodeManager.first_month_exempt(lock, NOW)
    assert not PasscodeManager.first_month_exempt(lock, datetime(2026, 6, 20, 12, tzinfo=PARIS))
    assert not PasscodeManager.first_month_exempt(make_lock(), NOW)


@pytest.mark.parametrize(
    ("cycle", "expected_day"),
    [
        (Cycle.DAILY, 17),  # today, the window 08-17 has not ended
        (Cycle.WORKDAY, 17),
        (Cycle.WEEKEND, 20),
        (Cycle.WEDNESDAY, 17),
        (Cycle.TUESDAY, 23),
        (Cycle.MONDAY, 22),
        (Cycle.SUNDAY, 21),
    ],
)
def test_next_cycle_day(cycle: Cycle, expected_day: int) -> None:
    assert next_cycle_day(cycle, 17, NOW) == datetime(2026, 6, expected_day, tzinfo=PARIS)


def test_next_cycle_day_after_today_window() -> None:
    late = NOW.replace(hour=18)
    assert next_cycle_day(Cycle.DAILY, 17, late).day == 18
    assert next_cycle_day(Cycle.WEDNESDAY, 17, late).day == 24


def test_plan_custom() -> None:
    lock = make_lock()
    plan = plan_passcode(
        PasscodeRequest(kind=PasscodeKind.CUSTOM, name="A", code="482913"), lock, NOW
    )
    assert (plan.offline, plan.passcode_type, plan.code, plan.start, plan.end) == (
        False,
        PasscodeType.PERMANENT,
        "482913",
        None,
        None,
    )
    plan = plan_passcode(
        PasscodeRequest(
            kind=PasscodeKind.CUSTOM, name="A", end=NOW + timedelta(hours=2, seconds=5)
        ),
        lock,
        NOW,
    )
    assert plan.passcode_type is PasscodeType.PERIOD
    assert plan.code is None
    assert plan.start == NOW.replace(second=0)
    assert plan.end == NOW.replace(hour=12, minute=21)
    assert plan.counts_against_quota
    with raises_key("missing_field") as err:
        plan_passcode(PasscodeRequest(kind=PasscodeKind.CUSTOM, name="A", start=NOW), lock, NOW)
    assert err.value.translation_placeholders == {"field": "end"}
    with raises_key("custom_code_needs_gateway"):
        plan_passcode(
            PasscodeRequest(kind=PasscodeKind.CUSTOM, name="A"), make_lock(gateway=False), NOW
        )
    with raises_key("end_before_start"):
        plan_passcode(
            PasscodeRequest(
                kind=PasscodeKind.CUSTOM,
                name="A",
                start=NOW + timedelta(hours=2),
                end=NOW + timedelta(hours=1),
            ),
            lock,
            NOW,
        )
    with raises_key("window_in_past"):
        plan_passcode(
            PasscodeRequest(
                kind=PasscodeKind.CUSTOM,
                name="A",
                start=NOW - timedelta(days=2),
                end=NOW - timedelta(days=1),
            ),
            lock,
            NOW,
        )


def test_plan_offline() -> None:
    lock = make_lock(gateway=False)
    plan = plan_passcode(
        PasscodeRequest(kind=PasscodeKind.TIMED, name="T", end=NOW + timedelta(days=1)), lock, NOW
    )
    assert plan.offline
    assert plan.passcode_type is PasscodeType.PERIOD
    assert plan.start == NOW.replace(minute=0)
    assert plan.end == NOW.replace(day=18, hour=11, minute=0)
    with raises_key("missing_field"):
        plan_passcode(PasscodeRequest(kind=PasscodeKind.TIMED, name="T"), lock, NOW)
    with raises_key("code_only_for_custom"):
        plan_passcode(PasscodeRequest(kind=PasscodeKind.TIMED, name="T", code="482913"), lock, NOW)
    one_time = plan_passcode(PasscodeRequest(kind=PasscodeKind.ONE_TIME, name="O"), lock, NOW)
    assert one_time.passcode_type is PasscodeType.ONE_TIME
    assert not one_time.counts_against_quota
    assert one_time.end is None
    with raises_key("window_in_past"):
        plan_passcode(
            PasscodeRequest(kind=PasscodeKind.ONE_TIME, name="O", start=NOW - timedelta(hours=7)),
            lock,
            NOW,
        )
    permanent = plan_passcode(PasscodeRequest(kind=PasscodeKind.PERMANENT, name="P"), lock, NOW)
    assert permanent.passcode_type is PasscodeType.PERMANENT
    with raises_key("erase_not_confirmed"):
        plan_passcode(PasscodeRequest(kind=PasscodeKind.ERASE, name="E"), lock, NOW)
    erase = plan_passcode(
        PasscodeRequest(kind=PasscodeKind.ERASE, name="E", confirm=True), lock, NOW
    )
    assert erase.passcode_type is PasscodeType.ERASE
    with raises_key("passcode_version_unsupported"):
        plan_passcode(
            PasscodeRequest(kind=PasscodeKind.PERMANENT, name="P"), make_lock(version=3), NOW
        )


def test_offline_timed_start_never_over_a_day_ago() -> None:
    """The lock refuses an offline code not entered within 24 h of its start."""
    lock = make_lock(gateway=False)
    stay = PasscodeRequest(
        kind=PasscodeKind.TIMED,
        name="Late booking",
        start=NOW - timedelta(days=2),
        end=NOW + timedelta(days=3),
    )
    plan = plan_passcode(stay, lock, NOW)
    assert plan.start == NOW.replace(minute=0)  # this hour
    assert plan.requested_start == (NOW - timedelta(days=2)).replace(minute=0)
    # Began 20 h ago: 4 h left to enter it, kept as asked.
    recent = plan_passcode(
        PasscodeRequest(
            kind=PasscodeKind.TIMED,
            name="Checked in yesterday",
            start=NOW - timedelta(hours=20),
            end=NOW + timedelta(days=1),
        ),
        lock,
        NOW,
    )
    assert recent.start == (NOW - timedelta(hours=20)).replace(minute=0)
    assert recent.requested_start is None
    assert usable_offline_start(NOW - timedelta(hours=23, minutes=30), NOW)[1] is not None


def test_plan_recurring() -> None:
    lock = make_lock(gateway=False)
    for cycle, type_ in CYCLE_TYPES.items():
        plan = plan_passcode(
            PasscodeRequest(
                kind=PasscodeKind.RECURRING, name="R", cycle=cycle, start_hour=8, end_hour=17
            ),
            lock,
            NOW,
        )
        assert plan.passcode_type is type_
        assert plan.start is not None
        assert plan.end is not None
        assert (plan.start.hour, plan.end.hour) == (8, 17)
        assert plan.start.date() == plan.end.date()
    base = {"kind": PasscodeKind.RECURRING, "name": "R"}
    with raises_key("missing_field"):
        plan_passcode(PasscodeRequest(**base, start_hour=8, end_hour=17), lock, NOW)  # type: ignore[arg-type]
    with raises_key("missing_field"):
        plan_passcode(PasscodeRequest(**base, cycle=Cycle.DAILY, end_hour=17), lock, NOW)  # type: ignore[arg-type]
    with raises_key("missing_field"):
        plan_passcode(PasscodeRequest(**base, cycle=Cycle.DAILY, start_hour=8), lock, NOW)  # type: ignore[arg-type]
    with raises_key("end_before_start"):
        plan_passcode(
            PasscodeRequest(**base, cycle=Cycle.DAILY, start_hour=17, end_hour=8),  # type: ignore[arg-type]
            lock,
            NOW,
        )


def test_guest_window() -> None:
    start = datetime(2026, 6, 20, 15, 10, tzinfo=PARIS)
    end = datetime(2026, 6, 25, 10, 45, tzinfo=PARIS)
    margin = timedelta(minutes=30)
    assert guest_window(start, end, margin, offline=True) == (
        datetime(2026, 6, 20, 14, tzinfo=PARIS),
        datetime(2026, 6, 25, 12, tzinfo=PARIS),
    )
    assert guest_window(start, end, margin, offline=False) == (
        datetime(2026, 6, 20, 14, 40, tzinfo=PARIS),
        datetime(2026, 6, 25, 11, 15, tzinfo=PARIS),
    )


def test_result_response() -> None:
    start = datetime(2026, 6, 17, 10, tzinfo=PARIS)
    one_time = PasscodeResult(
        lock_id=1,
        passcode_id=5,
        code="123456789",
        kind=PasscodeKind.ONE_TIME,
        name="O",
        offline=True,
        valid_from=start,
        valid_to=None,
    )
    data = one_time.as_response(reveal=False)
    assert data["code"] == "*******89"
    assert data["must_be_used_by"] == "2026-06-17T16:00:00+02:00"
    assert "6 h" in data["warning"]
    recurring = PasscodeResult(
        lock_id=1,
        passcode_id=5,
        code="123456789",
        kind=PasscodeKind.RECURRING,
        name="R",
        offline=True,
        valid_from=start,
        valid_to=None,
        cycle=Cycle.WORKDAY,
        start_hour=8,
        end_hour=17,
    )
    assert recurring.as_response()["cycle"] == "workday"
    assert "24 h" in recurring.as_response()["warning"]
    custom = PasscodeResult(
        lock_id=1,
        passcode_id=5,
        code="482913",
        kind=PasscodeKind.CUSTOM,
        name="C",
        offline=False,
        valid_from=None,
        valid_to=None,
    )
    assert custom.must_be_used_by is None
    assert "warning" not in custom.as_response()
