"""The /v3 endpoints, by path."""

from __future__ import annotations

from . import credentials, gateways, keys, locks, meters, passcodes, records
from .params import Handler

ROUTES: dict[str, Handler] = {
    **locks.ROUTES,
    **passcodes.ROUTES,
    **gateways.ROUTES,
    **records.ROUTES,
    **credentials.ROUTES,
    **keys.ROUTES,
    **meters.ROUTES,
}
