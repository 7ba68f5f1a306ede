"""The whole simulated world as JSON: saved to a file, loaded back after a restart.

``python -m simulator --state PATH`` (what ``scripts/develop`` runs) keeps the cloud in
step with a Home Assistant that keeps its own data: codes, tokens and records it saw
before a restart are still there afterwards.

Saved: the application (client id and secret, monthly allowance and this month's use, the
request counters), accounts, access and refresh tokens, gateways, locks (with their
gateway links, passcodes, records, cards, fingerprints, burnt offline-code periods and
quota log), electricity and water meters, the id counters and the random generator, so a
loaded cloud hands out the same ids and codes the saved one would have. Not saved: the
knobs of one run (latency, relay delay, queued faults, the rate limit, busy gateways).

Fields are copied by name from the dataclasses in ``state``, so a new plain field (number,
text, flag, list of numbers) is saved without a change here; a field that JSON cannot hold
as it is (a set, a reference to another record) makes saving fail until it is handled here.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable
import contextlib
from dataclasses import fields
import json
import os
from pathlib import Path
import sys
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from .state import (
    FakeAccount,
    FakeCredential,
    FakeElectricMeter,
    FakeGateway,
    FakeKey,
    FakeLink,
    FakeLock,
    FakeMeter,
    FakePasscode,
    FakeRecord,
    FakeToken,
    FakeWaterMeter,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from .cloud import FakeTTLockCloud

FORMAT: Final = "ttlock-simulator-state"
VERSION: Final = 1
SAVE_INTERVAL: Final = 1.0  # seconds between checks for changes to save

type State = dict[str, Any]


def _plain(record: DataclassInstance, **converted: Any) -> State:
    """Each field by name; ``converted`` gives those that JSON cannot hold as they are."""
    values = {f.name: getattr(record, f.name) for f in fields(record)}
    return values | converted


def _build[T: DataclassInstance](kind: type[T], values: State, **converted: Any) -> T:
    """Make a record from saved fields (ones it no longer has are dropped)."""
    names = {f.name for f in fields(kind)}
    return kind(**({name: value for name, value in values.items() if name in names} | converted))


def _unique_tokens(cloud: FakeTTLockCloud) -> list[FakeToken]:
    tokens: dict[int, FakeToken] = {}
    for token in (*cloud.tokens.values(), *cloud.refresh_tokens.values()):
        tokens.setdefault(id(token), token)
    return list(tokens.values())


def _credentials(items: Iterable[FakeCredential]) -> list[State]:
    return [_plain(item) for item in items]


def _lock(lock: FakeLock) -> State:
    return _plain(
        lock,
        owner=lock.owner.username,
        links=[{"gateway": link.gateway.gateway_id, "rssi": link.rssi} for link in lock.links],
        passcodes=[_plain(passcode) for passcode in lock.passcodes.values()],
        records=[_plain(record) for record in lock.records],
        cards=_credentials(lock.cards.values()),
        fingerprints=_credentials(lock.fingerprints.values()),
        keys=[_plain(key) for key in lock.keys.values()],
        deleted_periods=sorted(list(period) for period in lock.deleted_periods),
    )


def _meter(meter: FakeMeter) -> State:
    gateway = None if meter.gateway is None else meter.gateway.gateway_id
    return _plain(meter, owner=meter.owner.username, gateway=gateway)


def dump_cloud(cloud: FakeTTLockCloud) -> State:
    """Return the cloud's whole state as JSON-ready data."""
    tokens = _unique_tokens(cloud)
    index = {id(token): number for number, token in enumerate(tokens)}
    version, internal, gauss = cloud.rng.getstate()
    return {
        "format": FORMAT,
        "version": VERSION,
        "client_id": cloud.client_id,
        "client_secret": cloud.client_secret,
        "monthly_allowance": cloud.monthly_allowance,
        "month_requests": cloud.month_requests,
        "counted_month": cloud._counted_month,
        "requests": dict(cloud.requests),
        "next_ids": dict(cloud._next_ids),
        "rng": [version, list(internal), gauss],
        "accounts": [_plain(account) for account in cloud.accounts.values()],
        "tokens": [_plain(token, account=token.account.username) for token in tokens],
        "access_tokens": {key: index[id(token)] for key, token in cloud.tokens.items()},
        "refresh_tokens": {key: index[id(token)] for key, token in cloud.refresh_tokens.items()},
        "gateways": [
            _plain(gateway, owner=gateway.owner.username) for gateway in cloud.gateways.values()
        ],
        "locks": [_lock(lock) for lock in cloud.locks.values()],
        "electric_meters": [_meter(meter) for meter in cloud.electric_meters.values()],
        "water_meters": [_meter(meter) for meter in cloud.water_meters.values()],
    }


def restore_cloud(cloud: FakeTTLockCloud, state: State) -> None:
    """Replace the world of a new ``cloud`` with a saved one (ValueError if not one)."""
    if state.get("format") != FORMAT or state.get("version") != VERSION:
        raise ValueError(
            f"not a {FORMAT} version {VERSION} file "
            f"(format {state.get('format')!r}, version {state.get('version')!r})"
        )
    cloud.client_id = state["client_id"]
    cloud.client_secret = state["client_secret"]
    cloud.monthly_allowance = state["monthly_allowance"]
    cloud.month_requests = state["month_requests"]
    counted = state["counted_month"]
    cloud._counted_month = None if counted is None else (counted[0], counted[1])
    cloud.requests = Counter(state["requests"])
    cloud._next_ids.update(state["next_ids"])
    version, internal, gauss = state["rng"]
    cloud.rng.setstate((version, tuple(internal), gauss))

    accounts = {item["username"]: _build(FakeAccount, item) for item in state["accounts"]}
    cloud.accounts = accounts
    tokens = [
        _build(FakeToken, item, account=accounts[item["account"]]) for item in state["tokens"]
    ]
    cloud.tokens = {key: tokens[number] for key, number in state["access_tokens"].items()}
    cloud.refresh_tokens = {key: tokens[number] for key, number in state["refresh_tokens"].items()}
    gateways = [
        _build(FakeGateway, item, owner=accounts[item["owner"]]) for item in state["gateways"]
    ]
    cloud.gateways = {gateway.gateway_id: gateway for gateway in gateways}
    cloud.locks = {}
    for item in state["locks"]:
        lock = _restore_lock(item, accounts, cloud.gateways)
        cloud.locks[lock.lock_id] = lock
    cloud.electric_meters = {}
    for item in state["electric_meters"]:
        electric = _restore_meter(FakeElectricMeter, item, accounts, cloud.gateways)
        cloud.electric_meters[electric.meter_id] = electric
    cloud.water_meters = {}
    for item in state["water_meters"]:
        water = _restore_meter(FakeWaterMeter, item, accounts, cloud.gateways)
        cloud.water_meters[water.meter_id] = water


def _credentials_by_id(items: list[State]) -> dict[int, FakeCredential]:
    built = [_build(FakeCredential, item) for item in items]
    return {item.credential_id: item for item in built}


def _restore_lock(
    item: State, accounts: dict[str, FakeAccount], gateways: dict[int, FakeGateway]
) -> FakeLock:
    passcodes = [_build(FakePasscode, passcode) for passcode in item["passcodes"]]
    return _build(
        FakeLock,
        item,
        owner=accounts[item["owner"]],
        links=[FakeLink(gateways[link["gateway"]], link["rssi"]) for link in item["links"]],
        passcodes={passcode.passcode_id: passcode for passcode in passcodes},
        records=[_build(FakeRecord, record) for record in item["records"]],
        cards=_credentials_by_id(item["cards"]),
        fingerprints=_credentials_by_id(item["fingerprints"]),
        keys={key.key_id: key for key in (_build(FakeKey, k) for k in item.get("keys", []))},
        deleted_periods={(kind, start, end) for kind, start, end in item["deleted_periods"]},
        # JSON keys are text; files from before the settings keep the defaults.
        **(
            {"settings": {int(kind): value for kind, value in item["settings"].items()}}
            if "settings" in item
            else {}
        ),
    )


def _restore_meter[M: FakeMeter](
    kind: type[M], item: State, accounts: dict[str, FakeAccount], gateways: dict[int, FakeGateway]
) -> M:
    gateway = None if item["gateway"] is None else gateways[item["gateway"]]
    return _build(kind, item, owner=accounts[item["owner"]], gateway=gateway)


def to_state(cloud: FakeTTLockCloud) -> State:
    """Return the whole world (accounts, tokens, devices, codes, records...) as JSON data."""
    return dump_cloud(cloud)


def from_state(state: State) -> FakeTTLockCloud:
    """Make a cloud from ``to_state`` data (ValueError for anything else)."""
    from .cloud import FakeTTLockCloud  # noqa: PLC0415  # only under TYPE_CHECKING above

    cloud = FakeTTLockCloud()
    restore_cloud(cloud, state)
    return cloud


def save_state(cloud: FakeTTLockCloud, path: Path) -> None:
    """Write ``to_state`` to a JSON file (replaced at once)."""
    write_state_text(path, state_text(cloud))


def load_state(path: Path) -> FakeTTLockCloud:
    """Make a cloud from a file ``save_state`` wrote (OSError, ValueError)."""
    return from_state(read_state(path))


def state_text(cloud: FakeTTLockCloud) -> str:
    """Return the state as the file holds it."""
    return json.dumps(dump_cloud(cloud), indent=1) + "\n"


def write_state_text(path: Path, text: str) -> None:
    """Replace the file at once (a crash mid-write leaves the previous state)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def read_state(path: Path) -> State:
    """Read a state file (OSError, ValueError for a broken one)."""
    state = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(state, dict):
        raise ValueError(f"{path}: not a simulator state")
    return state


def keep_saved(
    app: web.Application, cloud: FakeTTLockCloud, path: Path, interval: float = SAVE_INTERVAL
) -> None:
    """Save the cloud to ``path`` now, within ``interval`` of any change, and at shutdown."""
    written = state_text(cloud)
    write_state_text(path, written)

    def save_if_changed() -> None:
        nonlocal written
        text = state_text(cloud)
        if text != written:
            try:
                write_state_text(path, text)
            except OSError as err:  # keep serving; the next change tries again
                print(f"simulator: could not save the state to {path}: {err}", file=sys.stderr)
                return
            written = text

    async def periodically() -> None:
        while True:
            await asyncio.sleep(interval)
            save_if_changed()

    async def saver(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(periodically())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        save_if_changed()

    app.cleanup_ctx.append(saver)
