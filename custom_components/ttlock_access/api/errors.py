"""Mapping of the cloud's errcodes to typed exceptions.

Codes and meanings: the official error-code page (documentPages/htmlPages/cloud/
errorCode.html, English and Chinese) as summarised in notes/ttlock-api-reference.md §11.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final

from .const import ERR_EXPIRED_TOKEN, ERR_INVALID_TOKEN, ERR_MONTHLY_LIMIT, ERR_PASSCODE_QUOTA
from .exceptions import (
    TTLockAuthError,
    TTLockCredentialLimitError,
    TTLockDuplicatePasscodeError,
    TTLockError,
    TTLockInvalidClientError,
    TTLockInvalidParameterError,
    TTLockNotFoundError,
    TTLockNotSupportedError,
    TTLockPasscodeError,
    TTLockPasscodeQuotaError,
    TTLockPeriodReusedError,
    TTLockPermissionError,
    TTLockRateLimitError,
    TTLockServerError,
    TTLockUnreachableError,
    TTLockWrongRegionError,
)

type ErrorFactory = Callable[[str, int], TTLockError]

# An expired or unknown access token: the client refreshes once and retries before these
# surface (as TTLockAuthError, from the table below).
TOKEN_ERRCODES: Final = frozenset({ERR_INVALID_TOKEN, ERR_EXPIRED_TOKEN})

_GROUPS: Final[tuple[tuple[ErrorFactory, tuple[int, ...]], ...]] = (
    (TTLockAuthError, (ERR_INVALID_TOKEN, ERR_EXPIRED_TOKEN, 10007, 10011)),
    (TTLockInvalidClientError, (10000, 10001)),
    (TTLockWrongRegionError, (30008,)),
    (TTLockRateLimitError, (30006,)),
    (partial(TTLockRateLimitError, monthly=True), (ERR_MONTHLY_LIMIT,)),
    (TTLockUnreachableError, (-2012, -3002, -3003, -3034, -3035, -3036, -3037)),
    # -1021/-1023 (no such card/fingerprint) go beyond the contract's list: same meaning.
    # -4064: an eKey's receiver is no TTLock account.
    (TTLockNotFoundError, (-1003, -2009, -4037, -1008, -1021, -1023, -4064)),
    # -4082: an auto-lock time the lock does not take.
    # -2019/-2020: an eKey to oneself or to the lock's admin.
    (TTLockInvalidParameterError, (-3, -3006, -2019, -2020, -2032, -4082, 80000, 80002, 30005)),
    (TTLockNotSupportedError, (-4043,)),
    (TTLockCredentialLimitError, (-4056,)),
    (TTLockPermissionError, (-2018, 20002)),
    (TTLockDuplicatePasscodeError, (-3007,)),
    (TTLockPasscodeQuotaError, (-3009, ERR_PASSCODE_QUOTA)),
    (TTLockPeriodReusedError, (-1026,)),
    (TTLockPasscodeError, (-1007, -3008)),
    (TTLockServerError, (1, 90000)),
)

ERRCODE_EXCEPTIONS: Final[dict[int, ErrorFactory]] = {
    code: factory for factory, codes in _GROUPS for code in codes
}


def error_for(errcode: int, errmsg: str = "") -> TTLockError:
    """Build the exception of a non-zero errcode (unknown codes: a plain TTLockError)."""
    factory = ERRCODE_EXCEPTIONS.get(errcode, TTLockError)
    return factory(errmsg or f"errcode {errcode}", errcode)
