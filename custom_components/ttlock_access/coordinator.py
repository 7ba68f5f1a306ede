"""Data update coordinators of TTLock Access.

Three coordinators, each refreshed at its own pace, so the developer account's call
allowance goes where the data changes:

- locks (the scan interval option, default 60 s): one ``/v3/lock/list`` call covers every
  lock's name, battery, gateway presence and features. Per-lock calls only where the cloud
  has no list form: ``queryOpenState`` for locks it can reach (gateway or Wi-Fi); lock
  records newer than the last ``serverDate`` seen. Once push callbacks arrive, the cloud
  pushes remote locks' records (and with them their state): their records are no longer
  polled and their open state only re-read every 30 min, as a safety net. The lock detail
  and the passage mode configuration once per lock (at setup, when it appears).
- gateways (5 min): ``/v3/gateway/list``, plus ``/v3/gateway/listLock`` per online gateway
  at most every 30 min (the cloud caches those links for 30 min anyway).
- meters (15 min): ``/v3/electricMeter/list`` and ``/v3/waterMeter/list``.

Pushed callbacks (webhook.py) feed the same coordinators through ``async_handle_*``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    ElectricMeter,
    Gateway,
    GatewayLink,
    Lock,
    LockDetail,
    LockRecord,
    LockState,
    Token,
    TTLockAuthError,
    TTLockClient,
    TTLockConnectionError,
    TTLockError,
    TTLockInvalidClientError,
    TTLockNotFoundError,
    TTLockNotSupportedError,
    TTLockPermissionError,
    TTLockRateLimitError,
    TTLockServerError,
    TTLockUnreachableError,
    TTLockWrongRegionError,
    WaterMeter,
)
from .const import (
    CONF_PASSWORD_MD5,
    CONF_SCAN_INTERVAL,
    CONF_TOKEN,
    CONF_USERNAME,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    GATEWAY_SCAN_INTERVAL,
    JAMMED_RECORD_TYPES,
    LOGGER,
    METER_SCAN_INTERVAL,
    MONTHLY_LIMIT_RETRY_AFTER,
    RATE_LIMIT_RETRY_AFTER,
)

if TYPE_CHECKING:
    from .guest_access import GuestScheduler
    from .passcode_manager import PasscodeManager

# How often the lock-gateway links (and their signal) are read again.
LINKS_REFRESH_INTERVAL = timedelta(minutes=30)
# With push working, how often a remote lock's open state is still read (a missed push).
STATE_RESYNC_INTERVAL = timedelta(minutes=30)
# Records are asked for from this long before the newest one seen: a Bluetooth lock's
# records reach the cloud when a phone syncs them, later than they happened, and the
# cloud filters on the lock's time. What was seen already is skipped by upload time.
RECORD_LOOKBACK = timedelta(hours=24)

type RecordListener = Callable[[LockRecord], None]


@dataclass
class TTLockData:
    """Runtime data of a config entry."""

    client: TTLockClient
    locks: TTLockLocksCoordinator
    gateways: TTLockGatewaysCoordinator
    meters: TTLockMetersCoordinator
    passcodes: PasscodeManager
    guests: GuestScheduler


type TTLockConfigEntry = ConfigEntry[TTLockData]


@dataclass
class LockData:
    """What the integration knows about one lock."""

    lock: Lock  # from the lock list
    state: LockState
    passage_mode: bool | None
    detail: LockDetail | None  # fetched once at setup / when the lock appears
    gateway_ids: tuple[int, ...]  # gateways that reach it, strongest signal first
    reachable: bool = True  # False while the cloud cannot reach it (gateway/Wi-Fi offline)
    jammed: bool = False  # the last operation timed out before the bolt got there
    rssi: int | None = None  # signal to its best gateway (dBm)


@dataclass
class GatewayData:
    """A gateway and the locks it reaches."""

    gateway: Gateway
    links: tuple[GatewayLink, ...] = ()


@dataclass
class MetersData:
    """The account's utility meters."""

    electric: dict[int, ElectricMeter] = field(default_factory=dict)
    water: dict[int, WaterMeter] = field(default_factory=dict)


@callback
def async_store_token(hass: HomeAssistant, entry: ConfigEntry, token: Token) -> None:
    """Write tokens the client obtained back to the entry."""
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_TOKEN: token.as_dict()})


def translate_update_error(err: TTLockError) -> Exception:
    """Map a client error to what a coordinator raises."""
    if isinstance(err, TTLockAuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")
    if isinstance(err, TTLockRateLimitError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="monthly_limit" if err.monthly else "rate_limited",
            retry_after=MONTHLY_LIMIT_RETRY_AFTER if err.monthly else RATE_LIMIT_RETRY_AFTER,
        )
    if isinstance(err, TTLockConnectionError):
        key = "cannot_connect"
    elif isinstance(err, TTLockServerError):
        key = "server_error"
    else:
        key = "update_failed"
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders={"error": str(err)}
    )


class TTLockCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Shared error handling: translated failures, one silent re-login, back-off."""

    config_entry: TTLockConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TTLockConfigEntry,
        client: TTLockClient,
        *,
        name: str,
        update_interval: timedelta,
    ) -> None:
        """Initialise the coordinator."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{name} ({entry.title})",
            update_interval=update_interval,
            always_update=False,
        )
        self.client = client

    async def _async_guarded[R](self, call: Callable[[], Awaitable[R]]) -> R:
        """Run ``call``; on a dead token, log in again once with the stored hash."""
        try:
            try:
                return await call()
            except TTLockInvalidClientError, TTLockWrongRegionError:
                raise
            except TTLockAuthError:
                LOGGER.debug("Token refused, logging in again")
                token = await self.client.login(
                    self.config_entry.data[CONF_USERNAME],
                    self.config_entry.data[CONF_PASSWORD_MD5],
                )
                async_store_token(self.hass, self.config_entry, token)
                return await call()
        except TTLockError as err:
            raise translate_update_error(err) from err


class TTLockGatewaysCoordinator(TTLockCoordinator[dict[int, GatewayData]]):
    """The account's gateways, their online state and the locks they reach."""

    def __init__(self, hass: HomeAssistant, entry: TTLockConfigEntry, client: TTLockClient) -> None:
        """Initialise the coordinator."""
        super().__init__(
            hass, entry, client, name="TTLock gateways", update_interval=GATEWAY_SCAN_INTERVAL
        )
        self._links_read: dict[int, datetime] = {}

    @override
    async def _async_update_data(self) -> dict[int, GatewayData]:
        return await self._async_guarded(self._async_fetch)

    async def _async_fetch(self) -> dict[int, GatewayData]:
        previous = self.data or {}
        now = dt_util.utcnow()
        result: dict[int, GatewayData] = {}
        for gateway in await self.client.list_gateways():
            gateway_id = gateway.gateway_id
            links = previous[gateway_id].links if gateway_id in previous else ()
            read = self._links_read.get(gateway_id)
            if gateway.online and (read is None or now - read >= LINKS_REFRESH_INTERVAL):
                try:
                    links = tuple(await self.client.list_gateway_locks(gateway_id))
                except (TTLockUnreachableError, TTLockNotFoundError) as err:
                    LOGGER.debug("Locks of gateway %s not read: %s", gateway_id, err)
                else:
                    self._links_read[gateway_id] = now
            result[gateway_id] = GatewayData(gateway=gateway, links=links)
        for gateway_id in set(self._links_read) - set(result):
            del self._links_read[gateway_id]
        return result

    def lock_links(self) -> dict[int, list[GatewayLink]]:
        """Links per lock id, strongest signal first."""
        per_lock: dict[int, list[GatewayLink]] = {}
        for gateway_data in (self.data or {}).values():
            for link in gateway_data.links:
                if link.lock_id is None:
                    continue
                per_lock.setdefault(link.lock_id, []).append(
                    replace(link, gateway_id=gateway_data.gateway.gateway_id)
                )
        for links in per_lock.values():
            links.sort(key=lambda link: -999 if link.rssi is None else link.rssi, reverse=True)
        return per_lock

    @callback
    def async_handle_online(self, gateway_id: int, online: bool) -> bool:
        """Apply a pushed online change; False if the gateway is not the account's."""
        if self.data is None or gateway_id not in self.data:
            return False
        current = self.data[gateway_id]
        if current.gateway.online != online:
            updated = replace(current, gateway=replace(current.gateway, online=online))
            self.async_set_updated_data({**self.data, gateway_id: updated})
        return True


class TTLockLocksCoordinator(TTLockCoordinator[dict[int, LockData]]):
    """The account's locks: list, open state, records; details once per lock."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TTLockConfigEntry,
        client: TTLockClient,
        gateways: TTLockGatewaysCoordinator,
    ) -> None:
        """Initialise the coordinator."""
        super().__init__(
            hass,
            entry,
            client,
            name="TTLock locks",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
        )
        self.gateways = gateways
        self.push_seen = False  # a callback arrived: the platform pushes records
        self._listed: list[Lock] | None = None
        self._details: dict[int, LockDetail | None] = {}
        self._passage: dict[int, bool | None] = {}
        self._state_read: dict[int, datetime] = {}  # when queryOpenState last answered
        self._cursor: dict[int, datetime] = {}  # serverDate of the newest record seen
        self._seen: dict[int, set[tuple[object, ...]]] = {}  # records at the cursor
        self._record_listeners: dict[int, list[RecordListener]] = {}

    @override
    async def _async_setup(self) -> None:
        """Read each lock's detail and passage mode once; keep the list for the refresh."""
        await self._async_guarded(self._async_load_initial)

    async def _async_load_initial(self) -> None:
        self._listed = await self.client.list_locks()
        for lock in self._listed:
            await self._async_load_static(lock)

    async def _async_load_static(self, lock: Lock) -> None:
        """Fetch what rarely changes for a lock the coordinator has not seen before."""
        lock_id = lock.lock_id
        if lock_id not in self._details:
            try:
                self._details[lock_id] = await self.client.get_lock_detail(lock_id)
            except TTLockNotFoundError:
                self._details[lock_id] = None
        if lock_id not in self._passage and lock.passage_mode is None:
            enabled: bool | None = None
            if lock.supports_passage_mode:
                try:
                    enabled = (await self.client.get_passage_mode(lock_id)).enabled
                except TTLockNotSupportedError, TTLockNotFoundError:
                    enabled = None
            self._passage[lock_id] = enabled
        if lock_id not in self._cursor:
            # Only what happens from now on becomes an event.
            self._cursor[lock_id] = dt_util.utcnow()
            self._seen[lock_id] = set()

    @override
    async def _async_update_data(self) -> dict[int, LockData]:
        return await self._async_guarded(self._async_fetch)

    async def _async_fetch(self) -> dict[int, LockData]:
        if self._listed is not None:
            locks, self._listed = self._listed, None
        else:
            locks = await self.client.list_locks()
        previous = self.data or {}
        links = self.gateways.lock_links()
        result: dict[int, LockData] = {}
        for lock in locks:
            lock_id = lock.lock_id
            await self._async_load_static(lock)
            old = previous.get(lock_id)
            lock_links = links.get(lock_id, [])
            data = LockData(
                lock=lock,
                state=old.state if old else LockState.UNKNOWN,
                passage_mode=(
                    lock.passage_mode if lock.passage_mode is not None else self._passage[lock_id]
                ),
                detail=self._details[lock_id],
                gateway_ids=tuple(
                    link.gateway_id for link in lock_links if link.gateway_id is not None
                ),
                reachable=True,
                jammed=old.jammed if old else False,
                rssi=lock_links[0].rssi if lock_links else None,
            )
            if lock.is_remote and self._state_due(lock_id, old):
                try:
                    data.state = await self.client.get_lock_state(lock_id)
                    self._state_read[lock_id] = dt_util.utcnow()
                except TTLockUnreachableError as err:
                    LOGGER.debug("Lock %s unreachable: %s", lock_id, err)
                    data.state = LockState.UNKNOWN
                    data.reachable = False
                except TTLockNotSupportedError, TTLockPermissionError, TTLockNotFoundError:
                    data.state = LockState.UNKNOWN
            # A lock's first cycle has no records to look for: the cursor starts now.
            if old is not None and not (self.push_seen and lock.is_remote):
                try:
                    records = await self.client.list_lock_records(
                        lock_id, start=self._cursor[lock_id] - RECORD_LOOKBACK
                    )
                except TTLockNotFoundError:
                    records = []
                if new := self._take_new(lock_id, records):
                    # A queried open state is newer than the records before it.
                    data = self._apply_records(data, new, set_state=not lock.is_remote)
                    self._fire(lock_id, new)
            result[lock_id] = data
        for lock_id in set(self._cursor) - set(result):
            self._forget(lock_id)
        return result

    def _state_due(self, lock_id: int, old: LockData | None) -> bool:
        """Whether to query a remote lock's open state in this cycle.

        Every cycle while the cloud does not push; with push, records carry the state and
        a query is only a periodic safety net (and a retry for a lock that was unreachable).
        """
        read = self._state_read.get(lock_id)
        return (
            not self.push_seen
            or old is None
            or not old.reachable
            or read is None
            or dt_util.utcnow() - read >= STATE_RESYNC_INTERVAL
        )

    def _forget(self, lock_id: int) -> None:
        """Drop what is kept about a lock that left the account."""
        self._state_read.pop(lock_id, None)
        self._cursor.pop(lock_id, None)
        self._seen.pop(lock_id, None)
        self._details.pop(lock_id, None)
        self._passage.pop(lock_id, None)

    def _take_new(self, lock_id: int, records: Iterable[LockRecord]) -> list[LockRecord]:
        """Return records newer than those seen, oldest first; advance the cursor."""
        cursor = self._cursor.get(lock_id)
        seen = self._seen.setdefault(lock_id, set())
        new: list[LockRecord] = []
        now = dt_util.utcnow()
        # Records uploaded together share a serverDate: the lock's own time orders them.
        for record in sorted(
            records,
            key=lambda record: (
                record.server_date or record.lock_date or now,
                record.lock_date or now,
            ),
        ):
            when = record.server_date or record.lock_date or now
            key = (record.record_id, record.record_type, record.username, record.lock_date)
            if cursor is not None and (when < cursor or (when == cursor and key in seen)):
                continue
            if cursor is None or when > cursor:
                cursor = when
                seen = {key}
            else:
                seen.add(key)
            new.append(record)
        if cursor is not None:
            self._cursor[lock_id] = cursor
        self._seen[lock_id] = seen
        return new

    @staticmethod
    def _apply_records(data: LockData, records: list[LockRecord], *, set_state: bool) -> LockData:
        """Return what a sequence of records says about the lock."""
        state, jammed, lock = data.state, data.jammed, data.lock
        for record in records:
            if record.record_type in JAMMED_RECORD_TYPES:
                jammed = True
            elif record.success and record.unlocked is not None:
                jammed = False
                if set_state:
                    state = LockState.UNLOCKED if record.unlocked else LockState.LOCKED
            if record.battery is not None:
                lock = replace(lock, battery=record.battery)
        return replace(data, state=state, jammed=jammed, lock=lock)

    def _fire(self, lock_id: int, records: list[LockRecord]) -> None:
        for record in records:
            for listener in list(self._record_listeners.get(lock_id, ())):
                listener(record)

    @callback
    def async_add_record_listener(self, lock_id: int, listener: RecordListener) -> CALLBACK_TYPE:
        """Call ``listener`` with each new record of a lock (polled or pushed)."""
        listeners = self._record_listeners.setdefault(lock_id, [])
        listeners.append(listener)

        @callback
        def remove() -> None:
            listeners.remove(listener)

        return remove

    @callback
    def async_handle_records(self, lock_id: int, records: Iterable[LockRecord]) -> bool:
        """Apply pushed lock records; False if the lock is not the account's."""
        if self.data is None or lock_id not in self.data:
            return False
        self.push_seen = True
        if new := self._take_new(lock_id, records):
            updated = self._apply_records(self.data[lock_id], new, set_state=True)
            self._fire(lock_id, new)
            self.async_set_updated_data({**self.data, lock_id: updated})
        return True

    @callback
    def async_handle_online(self, lock_id: int, online: bool) -> bool:
        """Apply a pushed Wi-Fi lock online change; False if not the account's lock."""
        if self.data is None or lock_id not in self.data:
            return False
        self.push_seen = True
        self.async_update_lock(lock_id, reachable=online)
        return True

    @callback
    def async_update_lock(
        self,
        lock_id: int,
        *,
        state: LockState | None = None,
        passage_mode: bool | None = None,
        reachable: bool | None = None,
    ) -> None:
        """Record the outcome of a command (or a push) and tell the entities."""
        current = self.data[lock_id]
        updated = replace(
            current,
            state=current.state if state is None else state,
            jammed=current.jammed if state is None else False,
            passage_mode=current.passage_mode if passage_mode is None else passage_mode,
            reachable=current.reachable if reachable is None else reachable,
        )
        if passage_mode is not None:
            self._passage[lock_id] = passage_mode
        if updated != current:
            self.async_set_updated_data({**self.data, lock_id: updated})


class TTLockMetersCoordinator(TTLockCoordinator[MetersData]):
    """The account's electricity and water meters."""

    def __init__(self, hass: HomeAssistant, entry: TTLockConfigEntry, client: TTLockClient) -> None:
        """Initialise the coordinator."""
        super().__init__(
            hass, entry, client, name="TTLock meters", update_interval=METER_SCAN_INTERVAL
        )

    @override
    async def _async_update_data(self) -> MetersData:
        return await self._async_guarded(self._async_fetch)

    async def _async_fetch(self) -> MetersData:
        data = MetersData()
        try:
            data.electric = {m.meter_id: m for m in await self.client.list_electric_meters()}
        except (TTLockNotSupportedError, TTLockPermissionError) as err:
            LOGGER.debug("No electricity meters: %s", err)
        try:
            data.water = {m.meter_id: m for m in await self.client.list_water_meters()}
        except (TTLockNotSupportedError, TTLockPermissionError) as err:
            LOGGER.debug("No water meters: %s", err)
        return data

    @callback
    def async_update_electric(self, meter: ElectricMeter) -> None:
        """Record a changed electricity meter (after a command)."""
        self.async_set_updated_data(
            replace(self.data, electric={**self.data.electric, meter.meter_id: meter})
        )

    @callback
    def async_update_water(self, meter: WaterMeter) -> None:
        """Record a changed water meter (after a command)."""
        self.async_set_updated_data(
            replace(self.data, water={**self.data.water, meter.meter_id: meter})
        )
