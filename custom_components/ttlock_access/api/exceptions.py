"""Typed errors of the TTLock cloud client.

Every failure the cloud reports (a non-zero ``errcode``) or the transport suffers maps to one
of these, so callers never look at numbers. The errcode and message stay on the exception
for logs and diagnostics.
"""

from __future__ import annotations

from datetime import datetime


class TTLockError(Exception):
    """Base class of every error the client raises."""

    def __init__(self, message: str = "", errcode: int | None = None) -> None:
        super().__init__(message or self.__class__.__name__)
        self.errcode = errcode
        self.errmsg = message


class TTLockConnectionError(TTLockError):
    """The cloud could not be reached: network error, timeout, bad HTTP status or body."""


class TTLockServerError(TTLockError):
    """The cloud answered with an internal or generic failure (errcode 1, 90000, HTTP 5xx)."""


class TTLockAuthError(TTLockError):
    """The account credentials or tokens are not (or no longer) accepted.

    Raised after a refresh was already tried where a refresh could help.
    """


class TTLockInvalidClientError(TTLockAuthError):
    """The Open Platform application (client id or secret) is not accepted."""


class TTLockWrongRegionError(TTLockAuthError):
    """The account lives on another regional server (errcode 30008)."""


class TTLockRateLimitError(TTLockError):
    """The developer account hit its call frequency limit or its monthly allowance."""

    def __init__(
        self, message: str = "", errcode: int | None = None, *, monthly: bool = False
    ) -> None:
        super().__init__(message, errcode)
        self.monthly = monthly


class TTLockAllowanceExhaustedError(TTLockRateLimitError):
    """Not sent: the monthly allowance is used up (30007) until ``reset_at``."""

    def __init__(self, message: str = "", *, reset_at: datetime) -> None:
        super().__init__(message, 30007, monthly=True)
        self.reset_at = reset_at


class TTLockUnreachableError(TTLockError):
    """The lock or its gateway cannot be reached right now (offline, busy, no gateway)."""


class TTLockNotFoundError(TTLockError):
    """The lock, passcode, gateway, card or fingerprint does not exist (any more)."""


class TTLockInvalidParameterError(TTLockError):
    """The cloud refused a parameter (missing, malformed, too simple a code, bad date)."""


class TTLockNotSupportedError(TTLockError):
    """The lock does not support the operation, or it is switched off in its settings."""


class TTLockPermissionError(TTLockError):
    """The account is not the lock's administrator or lacks the right."""


class TTLockPasscodeError(TTLockError):
    """A passcode operation the cloud refused for a passcode-specific reason."""


class TTLockDuplicatePasscodeError(TTLockPasscodeError):
    """The same passcode already exists on the lock (errcode -3007)."""


class TTLockPasscodeQuotaError(TTLockPasscodeError):
    """The lock's passcode allowance is used up (monthly quota or custom code storage)."""


class TTLockPeriodReusedError(TTLockPasscodeError):
    """An offline code for this exact period was issued and deleted before (errcode -1026)."""


class TTLockCredentialLimitError(TTLockError):
    """The lock holds as many cards as it can (errcode -4056)."""
