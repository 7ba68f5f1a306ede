"""What a loaded config entry holds: its client, coordinators and managers.

At the bottom of the house: platforms, actions, diagnostics and the webhook reach the
entry's parts through ``entry.runtime_data``; the parts themselves receive what they need
when the entry is set up (``__init__.py``) and never look each other up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .allowance import AllowanceManager
from .api import TTLockClient
from .credentials_coordinator import TTLockCredentialsCoordinator
from .failed_attempt_watch import FailedAttemptWatch
from .gateways_coordinator import TTLockGatewaysCoordinator
from .guest_scheduler import GuestScheduler
from .locks_coordinator import TTLockLocksCoordinator
from .meters_coordinator import TTLockMetersCoordinator
from .passcode_manager import PasscodeManager
from .pushes import PushHints


@dataclass
class TTLockData:
    """Runtime data of a config entry."""

    client: TTLockClient
    allowance: AllowanceManager
    locks: TTLockLocksCoordinator
    gateways: TTLockGatewaysCoordinator
    meters: TTLockMetersCoordinator
    credentials: TTLockCredentialsCoordinator
    passcodes: PasscodeManager
    guests: GuestScheduler
    pushes: PushHints
    attempts: FailedAttemptWatch


type TTLockConfigEntry = ConfigEntry[TTLockData]
