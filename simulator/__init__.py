"""A fake TTLock Open Platform cloud (v3) for tests, demos and benchmarks.

Names load lazily so that ``python -m simulator`` can set up its imports first (see
``__main__``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cloud import FakeTTLockCloud
    from .demo import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME, populate_demo
    from .state import (
        FakeAccount,
        FakeCredential,
        FakeElectricMeter,
        FakeGateway,
        FakeLock,
        FakePasscode,
        FakeRecord,
        FakeWaterMeter,
    )

_HOMES = {
    "FakeTTLockCloud": "cloud",
    "CLIENT_ID": "demo",
    "CLIENT_SECRET": "demo",
    "DEMO_PASSWORD": "demo",
    "DEMO_USERNAME": "demo",
    "populate_demo": "demo",
    "FakeAccount": "state",
    "FakeCredential": "state",
    "FakeElectricMeter": "state",
    "FakeGateway": "state",
    "FakeLock": "state",
    "FakePasscode": "state",
    "FakeRecord": "state",
    "FakeWaterMeter": "state",
}

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "FakeAccount",
    "FakeCredential",
    "FakeElectricMeter",
    "FakeGateway",
    "FakeLock",
    "FakePasscode",
    "FakeRecord",
    "FakeTTLockCloud",
    "FakeWaterMeter",
    "populate_demo",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    return getattr(import_module(f".{_HOMES[name]}", __name__), name)
