"""The account's gateways, their online state and the locks each reaches.

``/v3/gateway/list`` at the plan's pace (every 30 min, hourly once gateways push their
status), plus ``/v3/gateway/listLock`` per online gateway when the links are due (6 h).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .api import (
    Gateway,
    GatewayLink,
    TTLockClient,
    TTLockNotFoundError,
    TTLockUnreachableError,
)
from .const import (
    LOGGER,
)
from .coordinator import FIRST_CYCLE, TTLockCoordinator, due_at

if TYPE_CHECKING:
    from .allowance import AllowanceManager


@dataclass
class GatewayData:
    """A gateway and the locks it reaches."""

    gateway: Gateway
    links: tuple[GatewayLink, ...] = ()


class TTLockGatewaysCoordinator(TTLockCoordinator[dict[int, GatewayData]]):
    """The account's gateways, their online state and the locks they reach."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockClient,
        allowance: AllowanceManager,
    ) -> None:
        """Initialise the coordinator."""
        super().__init__(
            hass, entry, client, allowance, name="TTLock gateways", update_interval=FIRST_CYCLE
        )
        self._links_read: dict[int, datetime] = {}

    @override
    async def _async_update_data(self) -> dict[int, GatewayData]:
        data = await self._async_guarded(self._async_fetch)
        self.update_interval = self._plan().gateways
        return data

    async def _async_fetch(self) -> dict[int, GatewayData]:
        previous = self.data or {}
        now = dt_util.utcnow()
        links_interval = self._plan().links
        result: dict[int, GatewayData] = {}
        for gateway in await self.client.list_gateways():
            gateway_id = gateway.gateway_id
            links = previous[gateway_id].links if gateway_id in previous else ()
            due = due_at(self._links_read.get(gateway_id), links_interval)
            if gateway.online and (due is None or now >= due):
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

    def any_offline(self) -> bool:
        """Whether a gateway of the account is offline."""
        return any(not data.gateway.online for data in (self.data or {}).values())

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

    async def async_read_online(self) -> dict[int, bool]:
        """Read the gateway list now (a push said a gateway came or went) and apply it."""
        gateways = await self.client.list_gateways()
        current = self.data or {}
        updated = {
            gateway.gateway_id: replace(current[gateway.gateway_id], gateway=gateway)
            for gateway in gateways
            if gateway.gateway_id in current
        }
        if any(updated[gateway_id] != current[gateway_id] for gateway_id in updated):
            self.async_publish({**current, **updated})
        return {gateway.gateway_id: gateway.online for gateway in gateways}
