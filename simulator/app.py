"""The aiohttp application: the cloud's paths, envelopes and injected faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import web

from .control import add_control_routes
from .errors import CloudError, error_body
from .faults import Fault
from .protocol import TOKEN_PATH
from .routes import ROUTES
from .routes.auth import authenticate, token_grant
from .routes.params import JSON, Call, Handler, Params
from .routes.usage import MONTH_REQUEST_COUNT_PATH, month_request_count
from .state import now_ms

if TYPE_CHECKING:
    from .cloud import FakeTTLockCloud

type Answer = Callable[[Params, int], Awaitable[JSON]]


async def _params(request: web.Request) -> Params:
    """Query string and form body merged (clients mix GET, POST, query and form)."""
    values = {key: str(value) for key, value in request.query.items()}
    if request.method == "POST":
        form = await request.post()
        values |= {key: str(value) for key, value in form.items()}
    return Params(values)


def _fault_response(status: int) -> web.Response:
    reason = HTTPStatus(status).phrase if status in HTTPStatus else "Error"
    page = f"<html><body><h1>{status} {reason}</h1></body></html>"
    return web.Response(status=status, text=page, content_type="text/html")


async def _fault_answer(fault: Fault, request: web.Request) -> web.Response | None:
    """Return what an injected fault answers instead (None: a delay only, answer normally)."""
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.disconnect:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=HTTPStatus.NO_CONTENT)  # never reaches the client
    if fault.http_status is not None:
        return _fault_response(fault.http_status)
    if fault.malformed:
        return web.Response(text='{"errcode": 0, "list": [', content_type="application/json")
    if fault.errcode is not None:
        return web.json_response(error_body(fault.errcode))
    return None


async def serve(cloud: FakeTTLockCloud, request: web.Request, answer: Answer) -> web.Response:
    """Count, delay, fail or rate-limit the request, else answer it (HTTP 200 JSON).

    After the injected faults: the monthly allowance (30007; a refused request is not
    counted against it), then the call-frequency limit (30006). A fault ``after_commit``
    lets the request be carried out and fails only its answer.
    """
    cloud.requests[request.path] += 1
    if cloud.latency > 0:
        await asyncio.sleep(cloud.latency)
    fault = cloud.faults.take(request.path)
    if (
        fault is not None
        and not fault.after_commit
        and (early := await _fault_answer(fault, request)) is not None
    ):
        return early
    if not cloud.count_month_request():
        return web.json_response(error_body(30007))
    if not cloud.rate_limiter.allow():
        return web.json_response(error_body(30006))
    params = await _params(request)
    cloud.last_params[request.path] = params.as_dict()
    try:
        body = await answer(params, now_ms())
    except CloudError as err:
        body = err.body()
    if (
        fault is not None
        and fault.after_commit
        and (late := await _fault_answer(fault, request)) is not None
    ):
        return late
    return web.json_response(body)


def _v3(cloud: FakeTTLockCloud, handler: Handler) -> Answer:
    async def answer(params: Params, now: int) -> JSON:
        account = authenticate(cloud, params, now)
        return await handler(Call(cloud, account, params, now))

    return answer


def _endpoint(
    cloud: FakeTTLockCloud, answer: Answer
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def endpoint(request: web.Request) -> web.Response:
        return await serve(cloud, request, answer)

    return endpoint


async def _token(cloud: FakeTTLockCloud, params: Params, now: int) -> JSON:
    return token_grant(cloud, params, now)


async def _month_count(cloud: FakeTTLockCloud, params: Params, now: int) -> JSON:
    return month_request_count(cloud, params)


def build_app(cloud: FakeTTLockCloud, *, control: bool = True) -> web.Application:
    """Every documented path answers GET and POST alike."""
    app = web.Application()
    paths: dict[str, Answer] = {
        TOKEN_PATH: lambda params, now: _token(cloud, params, now),
        MONTH_REQUEST_COUNT_PATH: lambda params, now: _month_count(cloud, params, now),
        **{path: _v3(cloud, handler) for path, handler in ROUTES.items()},
    }
    for path, answer in paths.items():
        endpoint = _endpoint(cloud, answer)
        app.router.add_route("GET", path, endpoint)
        app.router.add_route("POST", path, endpoint)
    if control:
        add_control_routes(app, cloud)
    return app
