"""The coordinators' shared base: translated failures, one silent re-login, the plan.

Three coordinators, paced by the allowance plan (planner.py), so the developer account's
monthly call allowance goes where the data changes; each in a module of its own:

- ``locks_coordinator.py``: the lock list, each lock's records (lock/unlock, battery) when
  it is due, its state and detail once;
- ``gateways_coordinator.py``: the gateways and the locks each reaches;
- ``meters_coordinator.py``: electricity and water meters.

A pushed callback (webhook.py) is a hint: pushes.py has the coordinators read what it
claims (``async_read_*``), paid as the plan allows, and only what the cloud says applies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import (
    Token,
    TTLockAuthError,
    TTLockClient,
    TTLockError,
    TTLockInvalidClientError,
    TTLockWrongRegionError,
)
from .const import (
    CONF_PASSWORD_MD5,
    CONF_TOKEN,
    CONF_USERNAME,
    DEFAULT_MONTHLY_ALLOWANCE,
    LOGGER,
)
from .errors import update_error
from .planner import Plan, PlanInput, make_plan

if TYPE_CHECKING:
    from .allowance import AllowanceManager

# Before the first plan: how soon the locks are looked at again.
FIRST_CYCLE = timedelta(minutes=1)
# The coordinators wake at least this often, at most this rarely (plans change).
MIN_WAKE = timedelta(seconds=10)
MAX_WAKE = timedelta(minutes=30)


@callback
def async_store_token(hass: HomeAssistant, entry: ConfigEntry, token: Token) -> None:
    """Write tokens the client obtained back to the entry."""
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_TOKEN: token.as_dict()})


class TTLockCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Shared error handling: translated failures, one silent re-login, back-off."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockClient,
        allowance: AllowanceManager,
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
        self.allowance = allowance

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
            raise update_error(err) from err

    @callback
    def async_publish(self, data: DataT) -> None:
        """Show data that a push or a command brought, keeping the reads' schedule.

        Unlike ``async_set_updated_data``, this does not postpone the next refresh: a push
        about one lock makes nothing else fresh, and busy locks pushing every few minutes
        would otherwise hold the other reads off for good.
        """
        self.data = data
        self.async_update_listeners()

    def _plan(self) -> Plan:
        """Return the plan in force (the planner's base pace before the first one)."""
        return self.allowance.plan or DEFAULT_PLAN

    def _wake_at(self, due: datetime | None) -> None:
        """Refresh next when something is due (bounded, since plans change)."""
        delay = MAX_WAKE if due is None else due - dt_util.utcnow()
        self.update_interval = min(max(delay, MIN_WAKE), MAX_WAKE)


def due_at(read_at: datetime | None, interval: timedelta) -> datetime | None:
    """When something read at ``read_at`` is due again (None: never read, due now)."""
    return None if read_at is None else read_at + interval


# Until the first plan is made (the locks' first refresh): the planner's base pace.
DEFAULT_PLAN: Final = make_plan(
    PlanInput(
        allowance=DEFAULT_MONTHLY_ALLOWANCE,
        used=0,
        now=datetime(2026, 1, 1, tzinfo=UTC),
        reset_at=datetime(2026, 2, 1, tzinfo=UTC),
        reserve=0,
    )
)
