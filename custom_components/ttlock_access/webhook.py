"""Push: the callbacks the TTLock cloud POSTs to this entry's Home Assistant webhook.

The TTLock Open Platform sends callbacks to one URL per developer application, which the
user pastes into the platform's management centre (the options dialog shows it). The
endpoint is unauthenticated and nothing is signed, so nothing in a body is believed as
sent: a body over 64 KiB is refused (413) before it is read; one that does not parse, or
holds an impossible value, gets 400 and changes nothing (logged at debug, without the
webhook id); after many bad bodies in a minute, the endpoint answers 429 for a while;
every id is checked against the account. What a valid body claims is only a hint: the
integration reads the cloud to confirm it before anything changes (pushes.py). The cloud
wants the raw answer "success".
"""

from __future__ import annotations

from collections import deque
from contextlib import suppress
from functools import partial
from http import HTTPStatus
import time
from typing import Final
from urllib.parse import parse_qsl

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError

from .api import (
    CALLBACK_RESPONSE,
    AsyncFailureEvent,
    DoorSensorEvent,
    GatewayStatusEvent,
    LockRecordsEvent,
    LockStatusEvent,
    parse_callback,
)
from .const import CONF_WEBHOOK_ID, DOMAIN, LOGGER
from .data import TTLockConfigEntry

MAX_BODY: Final = 64 * 1024
MAX_FIELDS: Final = 64
# More bad bodies than this in a minute and the endpoint refuses for the next minute.
BAD_PER_MINUTE: Final = 20
_MINUTE: Final = 60.0


class _BadBodies:
    """Counts an endpoint's bad bodies over the last minute."""

    def __init__(self) -> None:
        self._times: deque[float] = deque()
        self.blocked_until = 0.0

    def blocked(self) -> bool:
        return time.monotonic() < self.blocked_until

    def note(self) -> None:
        now = time.monotonic()
        self._times.append(now)
        while self._times and self._times[0] < now - _MINUTE:
            self._times.popleft()
        if len(self._times) > BAD_PER_MINUTE:
            self.blocked_until = now + _MINUTE
            self._times.clear()


def _cloud_active(hass: HomeAssistant) -> bool:
    """Whether Home Assistant Cloud is set up and subscribed (cloudhooks available)."""
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415  # heavy, optional

    return cloud.async_active_subscription(hass)


async def async_webhook_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Return the URL to paste as the application's callback URL (or a cloudhook)."""
    if _cloud_active(hass):
        from homeassistant.components import cloud  # noqa: PLC0415

        return await cloud.async_get_or_create_cloudhook(hass, webhook_id)
    try:
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        return None


def async_setup_webhook(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Register the entry's webhook until the entry unloads."""
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    webhook.async_register(
        hass,
        DOMAIN,
        f"TTLock Access ({entry.title})",
        webhook_id,
        partial(async_handle_webhook, entry, _BadBodies()),
        allowed_methods={"POST"},
    )
    entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))


async def async_remove_cloudhook(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Drop the cloudhook of a removed entry, if one was made."""
    if _cloud_active(hass):
        from homeassistant.components import cloud  # noqa: PLC0415

        with suppress(ValueError):  # none was created
            await cloud.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])


async def _read_fields(request: web.Request) -> dict[str, str] | web.Response:
    """Return a callback's form fields (query and url-encoded body), or the refusal."""
    if (request.content_length or 0) > MAX_BODY:
        return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE, text="too large")
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE, text="too large")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=bool(body),
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError, ValueError:
        return web.Response(status=HTTPStatus.BAD_REQUEST, text="malformed callback")
    return {**request.query, **dict(pairs)}


async def async_handle_webhook(
    entry: TTLockConfigEntry,
    bad: _BadBodies,
    hass: HomeAssistant,
    webhook_id: str,
    request: web.Request,
) -> web.Response:
    """Handle a callback of the TTLock cloud."""
    if bad.blocked():
        return web.Response(status=HTTPStatus.TOO_MANY_REQUESTS, text="too many bad callbacks")
    fields = await _read_fields(request)
    if isinstance(fields, web.Response):
        bad.note()
        entry.runtime_data.pushes.note_refused()
        LOGGER.debug("Refused a TTLock callback: HTTP %s", fields.status)
        return fields
    try:
        event = parse_callback(fields)
    except ValueError as err:
        bad.note()
        entry.runtime_data.pushes.note_refused()
        LOGGER.debug("Malformed TTLock callback: %s", err)
        return web.Response(status=HTTPStatus.BAD_REQUEST, text="malformed callback")

    data = entry.runtime_data
    match event:
        case LockRecordsEvent(lock_id=lock_id, records=records):
            accepted = data.pushes.async_records(lock_id, records)
        case GatewayStatusEvent(gateway_id=gateway_id, online=online):
            accepted = data.pushes.async_gateway_online(gateway_id, online)
        case LockStatusEvent(lock_id=lock_id, online=online):
            accepted = data.pushes.async_lock_online(lock_id, online)
        case AsyncFailureEvent(lock_id=lock_id):
            accepted = lock_id in data.locks.data
            if accepted:
                LOGGER.warning(
                    "A request to lock %s failed at the lock (object type %s, errcode %s)",
                    lock_id,
                    event.object_type,
                    event.errcode,
                )
        case DoorSensorEvent():
            accepted = True  # standalone door sensors are not modelled
    if not accepted:
        data.pushes.note_ignored()
        LOGGER.debug("Ignored a TTLock callback about a device not on this account")
    return web.Response(text=CALLBACK_RESPONSE)
