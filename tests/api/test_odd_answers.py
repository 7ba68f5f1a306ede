"""Answers the fake cloud never gives but a real server might: a tiny canned HTTP server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.ttlock_access.api import (
    PasscodeType,
    Token,
    TTLockClient,
    TTLockConnectionError,
    TTLockServerError,
)

TOKEN = Token("a" * 32, "r" * 32, datetime.now(UTC) + timedelta(days=30), uid=1)


@pytest.fixture
async def odd_cloud(
    aiohttp_server: Callable[..., Awaitable[Any]], socket_enabled: None
) -> Callable[[dict[str, Any]], Awaitable[TTLockClient]]:
    """A server answering each path with a canned body; returns a client on it."""
    sessions: list[aiohttp.ClientSession] = []

    async def start(answers: dict[str, Any]) -> TTLockClient:
        pages: dict[str, int] = {}

        async def handler(request: web.Request) -> web.Response:
            answer = answers[request.path]
            if isinstance(answer, list):  # one body per successive request
                pages[request.path] = pages.get(request.path, -1) + 1
                answer = answer[pages[request.path]]
            return web.json_response(answer)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = await aiohttp_server(app, host="127.0.0.1")
        session = aiohttp.ClientSession()
        sessions.append(session)
        return TTLockClient(
            session, "id", "secret", base_url=f"http://127.0.0.1:{server.port}/", token=TOKEN
        )

    yield start  # type: ignore[misc]
    for session in sessions:
        await session.close()


async def test_token_answer_without_token(odd_cloud: Any) -> None:
    client = await odd_cloud({"/oauth2/token": {"uid": 1}})
    with pytest.raises(TTLockConnectionError, match="without a token"):
        await client.login("user", TTLockClient.hash_password("pw"))


async def test_unreadable_errcode_is_a_failure(odd_cloud: Any) -> None:
    client = await odd_cloud({"/v3/lock/detail": {"errcode": "oops"}})
    with pytest.raises(TTLockServerError):
        await client.get_lock_detail(1)


async def test_answer_not_an_object(odd_cloud: Any) -> None:
    client = await odd_cloud({"/v3/lock/detail": [[1, 2]]})
    with pytest.raises(TTLockConnectionError, match="not a JSON object"):
        await client.get_lock_detail(1)


async def test_list_not_an_array(odd_cloud: Any) -> None:
    client = await odd_cloud({"/v3/gateway/listLock": {"list": {"lockId": 1}}})
    with pytest.raises(TTLockConnectionError, match="not a JSON array"):
        await client.list_gateway_locks(1)


async def test_missing_fields(odd_cloud: Any) -> None:
    client = await odd_cloud(
        {"/v3/lock/queryOpenState": {}, "/v3/keyboardPwd/get": {"keyboardPwdId": 5}}
    )
    with pytest.raises(TTLockConnectionError, match="without state"):
        await client.get_lock_state(1)
    with pytest.raises(TTLockConnectionError, match="without keyboardPwd"):
        await client.get_offline_passcode(
            1, PasscodeType.ONE_TIME, name="x", start=datetime.now(UTC)
        )


async def test_paging_without_pages_or_total(odd_cloud: Any) -> None:
    # Neither "pages" nor "total": a short page is the last one.
    full = [{"lockId": n, "lockAlias": f"L{n}"} for n in range(1000)]
    client = await odd_cloud({"/v3/lock/list": [{"list": full}, {"list": [{"lockId": 5000}]}]})
    assert len(await client.list_locks()) == 1001


async def test_paging_stops_on_an_empty_page(odd_cloud: Any) -> None:
    client = await odd_cloud(
        {"/v3/lock/list": [{"list": [{"lockId": 1}], "pages": 5}, {"list": [], "pages": 5}]}
    )
    assert [lock.lock_id for lock in await client.list_locks()] == [1]


async def test_records_sorted_newest_first(odd_cloud: Any) -> None:
    body = {
        "list": [
            {"lockId": 1, "recordType": 1, "lockDate": 1_600_000_000_000},
            {"lockId": 1, "recordType": 1, "lockDate": 1_700_000_000_000},
            {"lockId": 1, "recordType": 1},
        ],
        "pages": 1,
    }
    client = await odd_cloud({"/v3/lockRecord/list": body})
    records = await client.list_lock_records(1)
    assert [r.lock_date.year if r.lock_date else None for r in records] == [2023, 2020, None]
