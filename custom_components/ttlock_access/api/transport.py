"""HTTP side of the TTLock cloud client: envelope, tokens, errors and paging.

Wire facts (official pages, euopen.ttlock.com document-pages/en/cloud/...):
- oauth2/getAccessToken, oauth2/refreshAccessToken: POST /oauth2/token, form fields
  clientId, clientSecret, username + MD5 password, or grant_type=refresh_token +
  refresh_token; answer access_token, refresh_token, expires_in (s), uid (login only).
- every /v3 page: clientId, accessToken and date (ms) on each call; reads documented as
  GET with a query string, writes as POST application/x-www-form-urlencoded; failures are
  HTTP 200 with a non-zero errcode; lists answer {list, pageNo, pageSize, pages, total}.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
import hashlib
import json
import logging
import re
from typing import Any, Final, Literal

import aiohttp

from .const import (
    DEFAULT_SERVER,
    ERR_MONTHLY_LIMIT,
    MONTH_REQUEST_COUNT_PATH,
    SERVERS,
    TOKEN_PATH,
    TOKEN_REFRESH_MARGIN_S,
)
from .errors import TOKEN_ERRCODES, error_for
from .exceptions import (
    TTLockAuthError,
    TTLockConnectionError,
    TTLockError,
    TTLockRateLimitError,
    TTLockServerError,
)
from .models import Token
from .usage import CallLedger

_LOGGER = logging.getLogger(__package__)

type JSONDict = dict[str, Any]
type Params = Mapping[str, str | int]
type Method = Literal["GET", "POST"]

_MD5_RE: Final = re.compile(r"[0-9a-f]{32}")
# A guard against a server that never reports its last page; 1000 pages of the smallest
# page size (200) is far beyond any real account.
_MAX_PAGES: Final = 1000
# Failures that say nothing about the refresh token itself: keep them as they are.
_TRANSIENT: Final = (TTLockConnectionError, TTLockServerError, TTLockRateLimitError)


def _now() -> datetime:
    return datetime.now(UTC)


def _errcode(data: Mapping[str, Any]) -> int:
    """Read the errcode of an answer; data answers carry none, which means success."""
    try:
        return int(data.get("errcode") or 0)
    except TypeError, ValueError:
        return 1  # an unreadable code is a generic failure


def _check(data: JSONDict) -> JSONDict:
    """Raise the typed error of a failed answer, else return it."""
    if code := _errcode(data):
        raise error_for(code, str(data.get("errmsg") or ""))
    return data


class TTLockTransport:
    """Authenticated calls to the TTLock Open Platform on an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = SERVERS[DEFAULT_SERVER],
        token: Token | None = None,
        on_token_update: Callable[[Token], None] | None = None,
        request_timeout: float = 30.0,
        ledger: CallLedger | None = None,
    ) -> None:
        """Set up the client; nothing is sent until the first call.

        ``ledger`` counts every request against the monthly allowance (a fresh one if
        omitted) and refuses requests once the cloud said the allowance is used up.
        """
        self._session = session
        self._client_id = client_id
        self._client_secret = client_secret
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._on_token_update = on_token_update
        self._request_timeout = request_timeout
        self.ledger = ledger if ledger is not None else CallLedger()
        self._refresh_lock = asyncio.Lock()
        # The cloud answers -3003 "gateway busy" to concurrent gateway commands.
        self._gateway_lock = asyncio.Lock()

    @property
    def token(self) -> Token | None:
        """The current token, if logged in."""
        return self._token

    @property
    def base_url(self) -> str:
        """The API server in use."""
        return self._base_url

    @property
    def uid(self) -> int | None:
        """The account's user id, from the login answer."""
        return self._token.uid if self._token else None

    @staticmethod
    def hash_password(password: str) -> str:
        """Lower-case hex MD5 of a password, the only form the token endpoint accepts."""
        return hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()

    # --- tokens -------------------------------------------------------------------

    async def login(self, username: str, password_md5: str) -> Token:
        """Password grant; takes the MD5 so that the plain password is never kept."""
        password_md5 = password_md5.lower()
        if not _MD5_RE.fullmatch(password_md5):
            raise ValueError("password_md5 must be the 32-digit hex MD5 of the password")
        data = await self._token_request({"username": username, "password": password_md5})
        return self._store_token(data, uid=None)

    async def refresh_token(self) -> Token:
        """Refresh-token grant: a new access token for the same account."""
        async with self._refresh_lock:
            return await self._refresh_locked()

    async def _token_request(self, fields: Params) -> JSONDict:
        form = {"clientId": self._client_id, "clientSecret": self._client_secret, **fields}
        data = _check(await self._request("POST", TOKEN_PATH, form))
        if not data.get("access_token") or not data.get("refresh_token"):
            raise TTLockConnectionError(f"{TOKEN_PATH}: answer without a token")
        return data

    async def _refresh_locked(self) -> Token:
        if self._token is None:
            raise TTLockAuthError("not logged in")
        uid = self._token.uid
        fields = {"grant_type": "refresh_token", "refresh_token": self._token.refresh_token}
        try:
            data = await self._token_request(fields)
        except _TRANSIENT:
            raise
        except TTLockError as err:
            # Whatever the cloud says about a refused refresh, the way out is a new login.
            raise TTLockAuthError(err.errmsg, err.errcode) from None
        # The refresh answer carries no uid: keep the account's.
        return self._store_token(data, uid=uid)

    async def _refresh_after(self, stale: Token) -> Token:
        """Refresh unless another call already replaced ``stale`` meanwhile."""
        async with self._refresh_lock:
            if self._token is not stale and self._token is not None:
                return self._token
            return await self._refresh_locked()

    def _store_token(self, data: JSONDict, *, uid: int | None) -> Token:
        token = Token.from_api(data, now=_now(), uid=uid)
        self._token = token
        _LOGGER.debug("New access token obtained, valid until %s", token.expires_at)
        if self._on_token_update is not None:
            try:
                self._on_token_update(token)
            except Exception:
                # The token is valid in memory; a failing persistence must not fail the call.
                _LOGGER.exception("Token update callback failed")
        return token

    async def _valid_token(self) -> Token:
        """Return the token to use now, refreshed ahead of its expiry."""
        token = self._token
        if token is None:
            raise TTLockAuthError("not logged in")
        now = _now()
        if token.expires_at - now > timedelta(seconds=TOKEN_REFRESH_MARGIN_S):
            return token
        try:
            return await self._refresh_after(token)
        except _TRANSIENT:
            if token.expires_at > now:
                # Still valid: use it and try refreshing again on the next call.
                _LOGGER.debug("Early token refresh failed; using the current token")
                return token
            raise

    # --- requests -----------------------------------------------------------------

    async def _call(
        self, method: Method, path: str, params: Params | None = None, *, gateway: bool = False
    ) -> JSONDict:
        """One authenticated /v3 call; ``gateway`` serialises calls relayed to a lock."""
        if gateway:
            async with self._gateway_lock:
                return await self._authed(method, path, params or {})
        return await self._authed(method, path, params or {})

    async def _authed(self, method: Method, path: str, params: Params) -> JSONDict:
        token = await self._valid_token()
        data = await self._request(method, path, self._envelope(token, params))
        if _errcode(data) in TOKEN_ERRCODES:
            # Expired or revoked before its time: refresh once and retry once.
            token = await self._refresh_after(token)
            data = await self._request(method, path, self._envelope(token, params))
        return _check(data)

    def _envelope(self, token: Token, params: Params) -> dict[str, str]:
        fields = {
            "clientId": self._client_id,
            "accessToken": token.access_token,
            "date": str(int(_now().timestamp() * 1000)),
        }
        fields.update({key: str(value) for key, value in params.items()})
        return fields

    async def month_request_count(self) -> int:
        """Read the cloud's count of this application's requests this month (Beijing time).

        Sent with the application's id and secret, as the official page documents (the
        English page also lists the access token, sent too when there is one).
        """
        fields = {"clientId": self._client_id, "clientSecret": self._client_secret}
        if self._token is not None:
            fields["accessToken"] = self._token.access_token
        data = _check(await self._request("POST", MONTH_REQUEST_COUNT_PATH, fields))
        try:
            count = int(data["monthRequestCount"])
        except KeyError, TypeError, ValueError:
            raise TTLockConnectionError(
                f"{MONTH_REQUEST_COUNT_PATH}: answer without monthRequestCount"
            ) from None
        self.ledger.reconcile(count)
        return count

    async def _request(self, method: Method, path: str, fields: Params) -> JSONDict:
        """Send one request and decode its JSON answer (errcode not yet checked)."""
        self.ledger.before_request(path)  # counted even if the answer is lost
        query = fields if method == "GET" else None
        form = None if method == "GET" else fields
        try:
            async with (
                asyncio.timeout(self._request_timeout),
                self._session.request(
                    method, self._base_url + path, params=query, data=form
                ) as resp,
            ):
                status = resp.status
                body = await resp.read()
        except TimeoutError:
            raise TTLockConnectionError(
                f"{path}: no answer within {self._request_timeout}s"
            ) from None
        except aiohttp.ClientError as err:
            # "from None": some aiohttp errors quote the URL, whose query holds the token.
            raise TTLockConnectionError(f"{path}: {type(err).__name__}") from None
        if status >= 500:
            raise TTLockServerError(f"{path}: HTTP {status}")
        if status >= 400:
            raise TTLockConnectionError(f"{path}: HTTP {status}")
        try:
            data = json.loads(body.decode("utf-8", errors="replace"))
        except ValueError:
            raise TTLockConnectionError(f"{path}: answer is not JSON") from None
        if not isinstance(data, dict):
            raise TTLockConnectionError(f"{path}: answer is not a JSON object")
        # Path and errcode only: parameters hold tokens, passcodes and card numbers.
        errcode = _errcode(data)
        _LOGGER.debug("%s %s -> errcode %s", method, path, errcode)
        self.ledger.answered(monthly_limit=errcode == ERR_MONTHLY_LIMIT)
        return data

    async def _fetch_all(
        self, method: Method, path: str, page_size: int, params: Params | None = None
    ) -> list[JSONDict]:
        """Fetch every item of a paged list, page after page."""
        items: list[JSONDict] = []
        for page in range(1, _MAX_PAGES + 1):
            data = await self._call(
                method, path, {**(params or {}), "pageNo": page, "pageSize": page_size}
            )
            batch = list_items(data, path)
            items.extend(batch)
            if not batch or _last_page(data, page, len(items), len(batch), page_size):
                break
        return items


def list_items(data: JSONDict, path: str) -> list[JSONDict]:
    """Return the ``list`` of an answer (missing means empty)."""
    items = data.get("list") or []
    if not isinstance(items, list):
        raise TTLockConnectionError(f"{path}: list is not a JSON array")
    return [item for item in items if isinstance(item, dict)]


def _last_page(data: JSONDict, page: int, seen: int, got: int, page_size: int) -> bool:
    # Trust "pages", then "total" (meter lists answer only {total, list}), then a short page.
    if data.get("pages") is not None:
        return page >= int(data["pages"])
    if data.get("total") is not None:
        return seen >= int(data["total"])
    return got < page_size
