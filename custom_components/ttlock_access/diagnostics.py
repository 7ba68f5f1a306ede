"""Diagnostics of TTLock Access: secrets, tokens, codes and addresses redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_CLOUDHOOK_URL,
    CONF_PASSWORD_MD5,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DEVICE_ELECTRIC_METER,
    DEVICE_GATEWAY,
    DEVICE_LOCK,
    DEVICE_WATER_METER,
)
from .data import TTLockConfigEntry
from .devices import parse_device_identifier

TO_REDACT = {
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_CLOUDHOOK_URL,
    CONF_PASSWORD_MD5,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    "access_token",
    "refresh_token",
    "title",
    "unique_id",
    "uid",
    # credentials and hardware addresses
    "code",
    "mac",
    "network_mac",
    "network_name",  # the Wi-Fi the gateway joined
    "code_prefix",  # a binding's digits every guest code starts with
    "number",
    "bluetooth_name",
    # guests: their names and booking ids are personal data
    "guest",
    "event",
}


def _lock(entry: TTLockConfigEntry, lock_id: int) -> dict[str, Any] | None:
    data = entry.runtime_data.locks.data.get(lock_id)
    return None if data is None else asdict(data)


def _gateway(entry: TTLockConfigEntry, gateway_id: int) -> dict[str, Any] | None:
    data = entry.runtime_data.gateways.data.get(gateway_id)
    return None if data is None else asdict(data)


def _meter(entry: TTLockConfigEntry, kind: str, meter_id: int) -> dict[str, Any] | None:
    meters = entry.runtime_data.meters.data
    meter = (meters.electric if kind == DEVICE_ELECTRIC_METER else meters.water).get(meter_id)
    return None if meter is None else asdict(meter)


def _usage(entry: TTLockConfigEntry) -> dict[str, Any]:
    """Return the month's calls, the plan in force and which locks push."""
    allowance = entry.runtime_data.allowance
    ledger = allowance.ledger.as_dict()
    plan, facts = allowance.plan, allowance.facts
    return {
        "allowance": allowance.allowance,
        "used": allowance.ledger.used,
        "ledger": ledger,
        "reserve": facts.reserve if facts else None,
        "plan": None
        if plan is None
        else {
            "lock_list": str(plan.lock_list),
            "gateways": str(plan.gateways),
            "links": str(plan.links),
            "meters": str(plan.meters),
            "meter_recheck": str(plan.meter_recheck),
            "settings": str(plan.settings),
            "per_lock": {str(k): str(v) for k, v in sorted(plan.per_lock.items())},
            "budget_per_day": round(plan.budget_per_day, 1),
            "reads_per_day": round(plan.reads_per_day, 1),
            "stretch": round(plan.stretch, 2),
            "confirms_per_day": round(plan.confirms_per_day, 1),
            "settings_reads_per_day": round(plan.settings_reads_per_day, 1),
        },
        "pushes": entry.runtime_data.pushes.as_dict(),
        "locks": [asdict(lock) for lock in facts.locks] if facts else [],
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TTLockConfigEntry
) -> dict[str, Any]:
    """Diagnostics of a config entry."""
    data = entry.runtime_data
    meters = data.meters.data
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "api_usage": _usage(entry),
            "coordinators": {
                name: {
                    "last_update_success": coordinator.last_update_success,
                    "update_interval": str(coordinator.update_interval),
                }
                for name, coordinator in (
                    ("locks", data.locks),
                    ("gateways", data.gateways),
                    ("meters", data.meters),
                )
            },
            "locks": [asdict(lock) for lock in data.locks.data.values()],
            "gateways": [asdict(gateway) for gateway in data.gateways.data.values()],
            "electric_meters": [asdict(meter) for meter in meters.electric.values()],
            "water_meters": [asdict(meter) for meter in meters.water.values()],
            "guest_plans": [plan.as_dict() for plan in data.guests.plans.values()],
            "guest_codes_left_on_locks": list(data.guests.left.as_stored().values()),
        },
        TO_REDACT,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: TTLockConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Diagnostics of one lock, gateway or meter."""
    found: dict[str, Any] | None = None
    for identifier in device.identifiers:
        if (parsed := parse_device_identifier(identifier)) is None:
            continue
        kind, object_id = parsed
        if kind == DEVICE_LOCK:
            found = _lock(entry, object_id)
        elif kind == DEVICE_GATEWAY:
            found = _gateway(entry, object_id)
        elif kind in (DEVICE_ELECTRIC_METER, DEVICE_WATER_METER):
            found = _meter(entry, kind, object_id)
    return async_redact_data({"device": device.name, "data": found}, TO_REDACT)
