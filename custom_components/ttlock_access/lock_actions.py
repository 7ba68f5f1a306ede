"""``set_passage_mode_schedule``: a lock that stays unlocked on a weekly schedule.

Passage mode keeps the lock unlocked: all day, or between two times, on the chosen
weekdays (TTLock numbers them 1 = Monday ... 7 = Sunday here, unlike eKeys), optionally
unlocking itself when the period starts. Written through the gateway (one call); the
passage mode switch turns it off. The passage mode switch alone sets all day, every day.
"""

from __future__ import annotations

from datetime import time
from typing import Final

from homeassistant.core import ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
import probatio

from .action_inputs import action_error, require_gateway, single_target
from .api import PassageModeConfig, TTLockError
from .errors import cloud_error

SERVICE_SET_PASSAGE_MODE_SCHEDULE: Final = "set_passage_mode_schedule"

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ATTR_WEEKDAYS: Final = "weekdays"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_AUTO_UNLOCK: Final = "auto_unlock"

SET_PASSAGE_MODE_SCHEDULE_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Required(ATTR_WEEKDAYS): probatio.All(
            cv.ensure_list, [probatio.In(WEEKDAYS)], probatio.Length(min=1, max=7)
        ),
        probatio.Optional(ATTR_START): cv.time,
        probatio.Optional(ATTR_END): cv.time,
        probatio.Optional(ATTR_AUTO_UNLOCK, default=False): cv.boolean,
    }
)


def _minute(moment: time) -> int:
    return moment.hour * 60 + moment.minute


async def async_set_passage_mode_schedule(call: ServiceCall) -> ServiceResponse:
    """Turn passage mode on for one lock, on a weekly schedule."""
    target = single_target(call.hass, call)
    lock = target.lock
    start: time | None = call.data.get(ATTR_START)
    end: time | None = call.data.get(ATTR_END)
    if (start is None) != (end is None):
        raise action_error("passage_window_incomplete")
    if start is not None and end is not None and _minute(end) <= _minute(start):
        raise action_error("end_before_start")
    if not lock.supports_passage_mode:
        raise action_error("passage_mode_not_supported", lock_name=lock.name)
    require_gateway(lock)
    days = sorted({WEEKDAYS.index(day) + 1 for day in call.data[ATTR_WEEKDAYS]})
    config = PassageModeConfig(
        enabled=True,
        all_day=start is None,
        start_minute=0 if start is None else _minute(start),
        end_minute=0 if end is None else _minute(end),
        weekdays=tuple(days),
        auto_unlock=call.data[ATTR_AUTO_UNLOCK],
    )
    locks = target.entry.runtime_data.locks
    try:
        await target.entry.runtime_data.client.configure_passage_mode(lock.lock_id, config)
    except TTLockError as err:
        raise cloud_error(err, lock.name) from err
    locks.async_update_lock(lock.lock_id, passage_mode=True)
    return {
        target.key: {
            "passage_mode": True,
            "weekdays": [WEEKDAYS[day - 1] for day in days],
            "all_day": config.all_day,
            "start": None if start is None else start.strftime("%H:%M"),
            "end": None if end is None else end.strftime("%H:%M"),
            "auto_unlock": config.auto_unlock,
        }
    }


# (name, handler, schema, response) of each action here, for services.py to register.
ACTIONS: Final = (
    (
        SERVICE_SET_PASSAGE_MODE_SCHEDULE,
        async_set_passage_mode_schedule,
        SET_PASSAGE_MODE_SCHEDULE_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
)
