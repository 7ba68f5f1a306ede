"""/_sim/* routes that let a demo or a benchmark drive the standalone simulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .callbacks import newest_record_callback

if TYPE_CHECKING:
    from .cloud import FakeTTLockCloud

type Action = Callable[[FakeTTLockCloud, dict[str, Any]], None]


async def _body(request: web.Request) -> dict[str, Any]:
    """Read a JSON object or form fields (form values stay strings)."""
    if request.content_type == "application/json":
        data = await request.json()
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return data
    return {key: str(value) for key, value in (await request.post()).items()}


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return None if value in (None, "") else int(value)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return bool(value)


def _fail_next(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    delay = data.get("delay")
    cloud.fail_next(
        str(data["path"]),
        errcode=_opt_int(data, "errcode"),
        http_status=_opt_int(data, "http_status"),
        malformed=_flag(data.get("malformed", False)),
        delay=None if delay in (None, "") else float(delay),
        disconnect=_flag(data.get("disconnect", False)),
        after_commit=_flag(data.get("after_commit", False)),
        count=_opt_int(data, "count") or 1,
        after=_opt_int(data, "after") or 0,
    )


def _gateway_online(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    cloud.set_gateway_online(int(data["gateway_id"]), _flag(data["online"]))


def _lock_state(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    cloud.set_lock_state(
        int(data["lock_id"]),
        int(data["state"]),
        record_type=_opt_int(data, "record_type"),
        username=data.get("username") or None,
    )


def _battery(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    cloud.set_battery(int(data["lock_id"]), int(data["battery"]))


def _allowance(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    # "allowance" absent: unchanged; null or "": unlimited. "used": this month's count.
    allowance = _opt_int(data, "allowance")
    used = _opt_int(data, "used")
    if allowance is not None and allowance < 0:
        raise ValueError(f"allowance must not be negative: {allowance}")
    if used is not None:
        cloud.set_month_requests(used)
    if "allowance" in data:
        cloud.set_monthly_allowance(allowance)


def _record(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    # A record the lock uploads without changing its state (a card refused, a doorbell...).
    lock = cloud.locks[int(data["lock_id"])]
    cloud.add_record(
        lock,
        int(data["record_type"]),
        username=str(data.get("username") or ""),
        success=_flag(data.get("success", True)),
    )


def _keypad(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    # Someone types a code at the lock's keypad (a guest arriving, or someone guessing).
    cloud.enter_code(int(data["lock_id"]), str(data["code"]))


def _reset_stats(cloud: FakeTTLockCloud, data: dict[str, Any]) -> None:
    cloud.reset_requests()


def _post(
    cloud: FakeTTLockCloud, action: Action
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def route(request: web.Request) -> web.Response:
        data = await _body(request)
        try:
            action(cloud, data)
        except (KeyError, ValueError, TypeError) as err:
            return web.json_response({"ok": False, "error": repr(err)}, status=400)
        return web.json_response({"ok": True})

    return route


def add_control_routes(app: web.Application, cloud: FakeTTLockCloud) -> None:
    """POST fail_next, gateway_online, lock_state, battery, record, keypad, allowance, reset_stats.

    GET stats, locks, allowance, callback (?lock_id=: the newest record's callback form).
    """

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(
            {"total": sum(cloud.requests.values()), "requests": dict(cloud.requests)}
        )

    async def locks(request: web.Request) -> web.Response:
        """Read-only: each lock's id, name, state (0 locked, 1 unlocked, 2 unknown), battery."""
        return web.json_response(
            [
                {
                    "lock_id": lock.lock_id,
                    "name": lock.alias,
                    "state": lock.state,
                    "battery": lock.battery,
                    "gateway_ids": [link.gateway.gateway_id for link in lock.links],
                }
                for lock in cloud.locks.values()
            ]
        )

    async def allowance(request: web.Request) -> web.Response:
        """Show the monthly API call allowance (null: unlimited) and its use."""
        year, month = cloud.current_month()
        return web.json_response(
            {
                "allowance": cloud.monthly_allowance,
                "used": cloud.month_requests,
                "month": f"{year:04d}-{month:02d}",
            }
        )

    async def callback(request: web.Request) -> web.Response:
        """Return the callback the cloud sends about a lock's newest record."""
        try:
            lock = cloud.locks[int(request.query["lock_id"])]
        except (KeyError, ValueError) as err:
            return web.json_response({"ok": False, "error": repr(err)}, status=400)
        if not lock.records:
            return web.json_response({"ok": False, "error": "no record yet"}, status=404)
        return web.json_response(newest_record_callback(lock))

    app.router.add_get("/_sim/stats", stats)
    app.router.add_get("/_sim/callback", callback)
    app.router.add_get("/_sim/locks", locks)
    app.router.add_get("/_sim/allowance", allowance)
    for name, action in {
        "fail_next": _fail_next,
        "gateway_online": _gateway_online,
        "lock_state": _lock_state,
        "battery": _battery,
        "record": _record,
        "keypad": _keypad,
        "allowance": _allowance,
        "reset_stats": _reset_stats,
    }.items():
        app.router.add_post(f"/_sim/{name}", _post(cloud, action))
