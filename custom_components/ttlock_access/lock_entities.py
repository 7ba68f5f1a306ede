"""The entity registry's answer to "which entity is this lock?", for events that name it."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN


def lock_entity_id(hass: HomeAssistant, lock_id: int) -> str | None:
    """Return a lock's lock entity id (none for a lock without a gateway)."""
    return er.async_get(hass).async_get_entity_id(Platform.LOCK, DOMAIN, str(lock_id))
