"""Config subentry flow of guest access: bind calendars to locks."""

from __future__ import annotations

from datetime import time
from typing import Any, cast

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TimeSelector,
)
import probatio

from .const import (
    CONF_CALENDARS,
    CONF_CLEANER,
    CONF_CODE_LENGTH,
    CONF_CODE_PREFIX,
    CONF_CODE_SOURCE,
    CONF_DAYS_BEFORE,
    CONF_FALLBACK_OFFLINE,
    CONF_LOCKS,
    CONF_MARGIN,
    CONF_NO_SHOW_HOURS,
    CONF_TURNOVER,
    CONF_TURNOVER_FROM,
    CONF_TURNOVER_TO,
    DEFAULT_CLEANER,
    DEFAULT_CODE_LENGTH,
    DEFAULT_DAYS_BEFORE,
    DEFAULT_FALLBACK_OFFLINE,
    DEFAULT_NO_SHOW_HOURS,
    DEFAULT_TURNOVER_FROM,
    DEFAULT_TURNOVER_TO,
    MAX_DAYS_BEFORE,
    MAX_NO_SHOW_HOURS,
    MIN_DAYS_BEFORE,
)
from .data import TTLockConfigEntry
from .passcodes import (
    CUSTOM_CODE_MAX_LENGTH,
    CUSTOM_CODE_MIN_LENGTH,
    DEFAULT_GUEST_MARGIN_MINUTES,
    MAX_GUEST_MARGIN_MINUTES,
)
from .stays import CodeSource
from .turnovers import TurnoverMode

CONF_NAME = "name"
# The random part a prefixed code keeps at least.
MIN_RANDOM_DIGITS = 2


def _schema(entry: TTLockConfigEntry, defaults: dict[str, Any]) -> probatio.Schema:
    locks = entry.runtime_data.locks.data or {}
    lock_options = [
        SelectOptionDict(value=str(lock_id), label=data.lock.name)
        for lock_id, data in sorted(locks.items(), key=lambda item: item[1].lock.name)
    ]

    def number(low: int, high: int, unit: str | None = None) -> NumberSelector:
        config = NumberSelectorConfig(min=low, max=high, step=1, mode=NumberSelectorMode.BOX)
        if unit is not None:
            config["unit_of_measurement"] = unit
        return NumberSelector(config)

    return probatio.Schema(
        {
            probatio.Required(CONF_NAME, default=defaults.get(CONF_NAME, "")): TextSelector(),
            probatio.Required(
                CONF_CALENDARS, default=defaults.get(CONF_CALENDARS, [])
            ): EntitySelector(EntitySelectorConfig(domain="calendar", multiple=True)),
            probatio.Required(CONF_LOCKS, default=defaults.get(CONF_LOCKS, [])): SelectSelector(
                SelectSelectorConfig(
                    options=lock_options, multiple=True, mode=SelectSelectorMode.LIST
                )
            ),
            probatio.Required(
                CONF_DAYS_BEFORE, default=defaults.get(CONF_DAYS_BEFORE, DEFAULT_DAYS_BEFORE)
            ): number(MIN_DAYS_BEFORE, MAX_DAYS_BEFORE, "d"),
            probatio.Required(
                CONF_MARGIN, default=defaults.get(CONF_MARGIN, DEFAULT_GUEST_MARGIN_MINUTES)
            ): number(0, MAX_GUEST_MARGIN_MINUTES, "min"),
            probatio.Required(
                CONF_CODE_SOURCE, default=defaults.get(CONF_CODE_SOURCE, CodeSource.RANDOM)
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[source.value for source in CodeSource],
                    translation_key=CONF_CODE_SOURCE,
                    mode=SelectSelectorMode.LIST,
                )
            ),
            probatio.Optional(
                CONF_CODE_PREFIX,
                description={"suggested_value": defaults.get(CONF_CODE_PREFIX)},
            ): TextSelector(),
            probatio.Required(
                CONF_CODE_LENGTH, default=defaults.get(CONF_CODE_LENGTH, DEFAULT_CODE_LENGTH)
            ): number(CUSTOM_CODE_MIN_LENGTH, CUSTOM_CODE_MAX_LENGTH),
            probatio.Required(
                CONF_FALLBACK_OFFLINE,
                default=defaults.get(CONF_FALLBACK_OFFLINE, DEFAULT_FALLBACK_OFFLINE),
            ): BooleanSelector(),
            probatio.Optional(CONF_TURNOVER, default={}): section(
                probatio.Schema(
                    {
                        probatio.Required(
                            CONF_TURNOVER, default=defaults.get(CONF_TURNOVER, TurnoverMode.OFF)
                        ): SelectSelector(
                            SelectSelectorConfig(
                                options=[mode.value for mode in TurnoverMode],
                                translation_key=CONF_TURNOVER,
                                mode=SelectSelectorMode.LIST,
                            )
                        ),
                        probatio.Required(
                            CONF_CLEANER, default=defaults.get(CONF_CLEANER, DEFAULT_CLEANER)
                        ): TextSelector(),
                        probatio.Required(
                            CONF_TURNOVER_FROM,
                            default=defaults.get(CONF_TURNOVER_FROM, DEFAULT_TURNOVER_FROM),
                        ): TimeSelector(),
                        probatio.Required(
                            CONF_TURNOVER_TO,
                            default=defaults.get(CONF_TURNOVER_TO, DEFAULT_TURNOVER_TO),
                        ): TimeSelector(),
                    }
                ),
                {"collapsed": defaults.get(CONF_TURNOVER, TurnoverMode.OFF) == TurnoverMode.OFF},
            ),
            # 0 (off) to 48 h: a no-show is told while the stay lasts (the selector bounds it).
            probatio.Required(
                CONF_NO_SHOW_HOURS,
                default=defaults.get(CONF_NO_SHOW_HOURS, DEFAULT_NO_SHOW_HOURS),
            ): number(0, MAX_NO_SHOW_HOURS, "h"),
        }
    )


def _validate(user_input: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Return (errors, subentry data)."""
    errors: dict[str, str] = {}
    length = int(user_input[CONF_CODE_LENGTH])
    source = CodeSource(user_input[CONF_CODE_SOURCE])
    prefix = str(user_input.get(CONF_CODE_PREFIX) or "").strip()
    if not user_input[CONF_CALENDARS]:
        errors[CONF_CALENDARS] = "no_calendar"
    if not user_input[CONF_LOCKS]:
        errors[CONF_LOCKS] = "no_lock"
    if source is CodeSource.PREFIX:
        if not prefix.isdecimal() or not prefix.isascii() or prefix.startswith("0"):
            errors[CONF_CODE_PREFIX] = "invalid_prefix"
        elif len(prefix) > length - MIN_RANDOM_DIGITS:
            errors[CONF_CODE_PREFIX] = "prefix_too_long"
    turnover = user_input.get(CONF_TURNOVER) or {}
    mode = TurnoverMode(turnover.get(CONF_TURNOVER, TurnoverMode.OFF))
    cleaner = str(turnover.get(CONF_CLEANER) or "").strip() or DEFAULT_CLEANER
    day_from = str(turnover.get(CONF_TURNOVER_FROM) or DEFAULT_TURNOVER_FROM)
    day_to = str(turnover.get(CONF_TURNOVER_TO) or DEFAULT_TURNOVER_TO)
    if mode is TurnoverMode.CHECKOUT_DAY and time.fromisoformat(day_to) <= time.fromisoformat(
        day_from
    ):
        errors[CONF_TURNOVER] = "turnover_hours"
    data = {
        CONF_CALENDARS: list(user_input[CONF_CALENDARS]),
        CONF_LOCKS: [str(lock_id) for lock_id in user_input[CONF_LOCKS]],
        CONF_DAYS_BEFORE: int(user_input[CONF_DAYS_BEFORE]),
        CONF_MARGIN: int(user_input[CONF_MARGIN]),
        CONF_CODE_SOURCE: source.value,
        CONF_CODE_PREFIX: prefix if source is CodeSource.PREFIX else "",
        CONF_CODE_LENGTH: length,
        CONF_FALLBACK_OFFLINE: bool(user_input.get(CONF_FALLBACK_OFFLINE, True)),
        CONF_TURNOVER: mode.value,
        CONF_CLEANER: cleaner,
        CONF_TURNOVER_FROM: day_from,
        CONF_TURNOVER_TO: day_to,
        CONF_NO_SHOW_HOURS: int(user_input.get(CONF_NO_SHOW_HOURS, DEFAULT_NO_SHOW_HOURS)),
    }
    return errors, data


class GuestBindingFlow(ConfigSubentryFlow):
    """Add or change a binding of calendars to locks."""

    def _entry(self) -> TTLockConfigEntry | None:
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return None
        return cast("TTLockConfigEntry", entry)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Create a binding."""
        if (entry := self._entry()) is None:
            return self.async_abort(reason="entry_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors, data = _validate(user_input)
            if not errors:
                return self.async_create_entry(title=user_input[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_schema(entry, {}), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a binding (the entry reloads; plans and codes follow the change)."""
        if (entry := self._entry()) is None:
            return self.async_abort(reason="entry_not_loaded")
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors, data = _validate(user_input)
            if not errors:
                return self.async_update_and_abort(
                    entry, subentry, title=user_input[CONF_NAME], data=data
                )
        defaults = {CONF_NAME: subentry.title, **subentry.data}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(_schema(entry, defaults), user_input),
            errors=errors,
        )
