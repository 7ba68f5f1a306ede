"""A tiny raw client for the simulator tests (the real client is tested elsewhere)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import aiohttp

from simulator import DEMO_PASSWORD, DEMO_USERNAME
from simulator.demo import CLIENT_ID, CLIENT_SECRET


class RawApi:
    """Form posts with the common parameters; answers as parsed JSON."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.token = ""

    async def login(self, password: str = DEMO_PASSWORD, **extra: str) -> dict[str, Any]:
        form = {
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "username": DEMO_USERNAME,
            "password": hashlib.md5(password.encode()).hexdigest(),
        } | extra
        answer = await self.post("/oauth2/token", form)
        self.token = answer.get("access_token", self.token)
        return answer

    async def post(self, path: str, form: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(self.url + path, data=form) as response:
            assert response.status == 200
            result: dict[str, Any] = await response.json()
            return result

    async def call(self, path: str, **params: Any) -> dict[str, Any]:
        form = {
            "clientId": CLIENT_ID,
            "accessToken": self.token,
            "date": int(time.time() * 1000),
        }
        return await self.post(path, form | params)
