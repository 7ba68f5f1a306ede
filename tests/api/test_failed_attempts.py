"""Which lock records are failed unlock attempts (and which a lock-out)."""

from __future__ import annotations

import pytest

from custom_components.ttlock_access.api import LockRecord, OperationMethod


def record(record_type: int, *, success: bool = True) -> LockRecord:
    return LockRecord.from_api(
        {"lockId": 1, "recordType": record_type, "success": int(success), "keyboardPwd": "4711"}
    )


@pytest.mark.parametrize("record_type", [1, 4, 7, 8, 10, 49, 57, 67, 84, 92])
def test_a_refused_unlock_is_a_failed_attempt(record_type: int) -> None:
    """App, passcode, card, fingerprint, key, QR, face, palm: refused = failed."""
    assert record(record_type, success=False).failed_attempt
    assert not record(record_type).failed_attempt


@pytest.mark.parametrize("record_type", [48, 51, 58, 68, 71, 85, 88, 91])
def test_failure_types_are_failed_attempts(record_type: int) -> None:
    """These types are failures whatever their success flag says."""
    assert record(record_type).failed_attempt
    assert record(record_type, success=False).failed_attempt


@pytest.mark.parametrize("record_type", [11, 12, 29, 30, 31, 34, 44, 45, 46, 47, 55, 63, 64])
def test_other_records_are_no_attempts(record_type: int) -> None:
    """Locking, doors, alarms, remote and automatic operations: no failed attempt."""
    assert not record(record_type, success=False).failed_attempt


def test_lock_out() -> None:
    """Only the lock-out (48) says the lock shut itself after repeated bad credentials."""
    assert record(48).locked_out
    assert not record(4, success=False).locked_out


@pytest.mark.parametrize("record_type", [51, 91])
def test_refused_cards_are_card_records_that_open_nothing(record_type: int) -> None:
    assert record(record_type).method is OperationMethod.CARD
    assert record(record_type).unlocked is None
