"""The TTLock Access integration: TTLock smart locks, gateways and meters via the cloud."""

from __future__ import annotations

from functools import partial

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .allowance import AllowanceManager, async_remove_usage_store
from .api import Token, TTLockClient
from .const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_MONTHLY_ALLOWANCE,
    CONF_SCAN_INTERVAL_REMOVED,
    CONF_TOKEN,
    DEFAULT_MONTHLY_ALLOWANCE,
    DOMAIN,
    LOGGER,
)
from .coordinator import async_store_token
from .credentials_coordinator import (
    TTLockCredentialsCoordinator,
    async_remove_credentials_store,
)
from .data import TTLockConfigEntry, TTLockData
from .devices import async_current_devices, async_sync_devices, parse_device_identifier
from .failed_attempt_watch import FailedAttemptWatch
from .gateways_coordinator import TTLockGatewaysCoordinator
from .guest_scheduler import GuestScheduler
from .guest_store import async_remove_guest_store
from .locks_coordinator import TTLockLocksCoordinator
from .meters_coordinator import TTLockMetersCoordinator
from .passcode_manager import PasscodeManager, async_remove_store
from .pushes import PushHints
from .services import async_setup_services
from .webhook import async_remove_cloudhook, async_setup_webhook

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.VALVE,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the integration (its actions live for as long as Home Assistant runs)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: TTLockConfigEntry) -> bool:
    """Set up a TTLock account."""
    allowance = AllowanceManager(hass, entry)
    await allowance.async_load()
    client = TTLockClient(
        async_get_clientsession(hass),
        entry.data[CONF_CLIENT_ID],
        entry.data[CONF_CLIENT_SECRET],
        base_url=entry.data[CONF_BASE_URL],
        token=Token.from_dict(entry.data[CONF_TOKEN]),
        on_token_update=partial(async_store_token, hass, entry),
        ledger=allowance.ledger,
    )
    gateways = TTLockGatewaysCoordinator(hass, entry, client, allowance)
    meters = TTLockMetersCoordinator(hass, entry, client, allowance)
    locks = TTLockLocksCoordinator(hass, entry, client, allowance, gateways, meters)
    passcodes = PasscodeManager(hass, entry, client, locks.locks)
    credentials = TTLockCredentialsCoordinator(hass, entry, client, allowance, locks.locks)
    passcodes.follow_writes(credentials)
    entry.runtime_data = TTLockData(
        client=client,
        allowance=allowance,
        locks=locks,
        gateways=gateways,
        meters=meters,
        credentials=credentials,
        passcodes=passcodes,
        guests=GuestScheduler(hass, entry, passcodes, locks.locks),
        pushes=PushHints(hass, entry, allowance, locks, gateways),
        attempts=FailedAttemptWatch(hass, locks),
    )

    entry.async_on_unload(allowance.async_flush)
    entry.async_on_unload(entry.runtime_data.attempts.async_start())
    allowance.set_stays_source(entry.runtime_data.guests.open_stays)
    # Gateways first: the locks take their gateway links from them; meters before the
    # locks, whose refresh makes the plan from what the account has.
    # The cloud's own count of the month first (at most daily): the first plan needs it.
    await allowance.async_reconcile(client)
    await gateways.async_config_entry_first_refresh()
    await meters.async_config_entry_first_refresh()
    await locks.async_config_entry_first_refresh()
    # What opens the locks is no reason to fail the setup: kept from the last run, and
    # read where due.
    await credentials.async_load()
    await credentials.async_refresh()
    await entry.runtime_data.passcodes.async_load()

    async_sync_devices(hass, entry)
    for coordinator in (gateways, locks, meters):
        entry.async_on_unload(
            coordinator.async_add_listener(partial(async_sync_devices, hass, entry))
        )

    async_setup_webhook(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await entry.runtime_data.guests.async_start()
    # Arrivals: the guest book hears each new record, as read or pushed (no call of its own).
    entry.runtime_data.guests.follow_records(
        locks.async_add_account_record_listener, locks.async_read_records
    )
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: TTLockConfigEntry) -> bool:
    """Migrate an entry's options to the current version."""
    if entry.version > 1:
        return False  # a downgrade: the entry comes from a newer version
    if entry.minor_version < 2:
        # 1.2: the scan interval option is gone (the allowance planner chooses the
        # polling); the monthly allowance is new.
        options = {
            key: value for key, value in entry.options.items() if key != CONF_SCAN_INTERVAL_REMOVED
        }
        options.setdefault(CONF_MONTHLY_ALLOWANCE, DEFAULT_MONTHLY_ALLOWANCE)
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
        LOGGER.debug("Migrated config entry %s to version 1.2", entry.entry_id)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: TTLockConfigEntry) -> bool:
    """Unload a TTLock account."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Clean up after a removed account: its cloudhook and its stored passcode books."""
    await async_remove_cloudhook(hass, entry)
    await async_remove_store(hass, entry.entry_id)
    await async_remove_guest_store(hass, entry.entry_id)
    await async_remove_usage_store(hass, entry.entry_id)
    await async_remove_credentials_store(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: TTLockConfigEntry, device: DeviceEntry
) -> bool:
    """Let the user remove a device the account no longer has."""
    current = async_current_devices(entry)
    return not any(
        (parsed := parse_device_identifier(identifier)) is not None and parsed in current
        for identifier in device.identifiers
    )
