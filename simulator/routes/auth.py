"""/oauth2/token and the checks every /v3 call passes first."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import CloudError
from ..protocol import MAX_CLOCK_SKEW_MS
from ..state import FakeAccount, FakeToken
from .params import JSON, Params

if TYPE_CHECKING:
    from ..cloud import FakeTTLockCloud

TOKEN_LIFETIME_S = 7_776_000  # 90 days
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")


def _either(params: Params, camel: str, snake: str) -> str | None:
    return params.get(camel) or params.get(snake)


def _token_body(token: FakeToken, now: int, *, with_uid: bool) -> JSON:
    body: JSON = {
        "access_token": token.access_token,
        "refresh_token": token.refresh_token,
        "expires_in": max(0, (token.expires_ms - now) // 1000),
        # Seen in real replies besides the documented fields.
        "openid": token.account.uid,
        "scope": "user,key,room",
        "token_type": "Bearer",
    }
    if with_uid:
        body["uid"] = token.account.uid
    return body


def token_grant(cloud: FakeTTLockCloud, params: Params, now: int) -> JSON:
    """Password grant (grant_type absent or "password") or refresh_token grant."""
    client_id = _either(params, "clientId", "client_id")
    if client_id != cloud.client_id:
        raise CloudError(10000)
    if _either(params, "clientSecret", "client_secret") != cloud.client_secret:
        raise CloudError(10001)
    grant = params.get("grant_type") or "password"
    if grant == "refresh_token":
        return _token_body(_refresh(cloud, params, now), now, with_uid=False)
    if grant != "password":
        raise CloudError(10010)
    username = params.require("username")
    password = params.require("password")
    if not _HEX32.fullmatch(password):
        raise CloudError(30005)
    account = cloud.accounts.get(username)
    if account is None or account.password_md5 != password:
        raise CloudError(10007)
    return _token_body(_login(cloud, account, now), now, with_uid=True)


def _login(cloud: FakeTTLockCloud, account: FakeAccount, now: int) -> FakeToken:
    # Like Spring OAuth2 (whose errmsgs the cloud answers): a second login while a token
    # is still valid gets that same token back, with its remaining lifetime.
    for token in cloud.tokens.values():
        if token.account is account and not token.revoked and token.expires_ms > now:
            return token
    return _issue(cloud, account, now, cloud.hex_token())


def _issue(cloud: FakeTTLockCloud, account: FakeAccount, now: int, refresh: str) -> FakeToken:
    token = FakeToken(
        access_token=cloud.hex_token(),
        refresh_token=refresh,
        account=account,
        expires_ms=now + TOKEN_LIFETIME_S * 1000,
    )
    cloud.tokens[token.access_token] = token
    cloud.refresh_tokens[refresh] = token
    return token


def _refresh(cloud: FakeTTLockCloud, params: Params, now: int) -> FakeToken:
    # The refresh token is kept (valid 10 years); the old access token is revoked.
    old = cloud.refresh_tokens.get(params.get("refresh_token") or "")
    if old is None:
        raise CloudError(10011)
    old.revoked = True
    return _issue(cloud, old.account, now, old.refresh_token)


def authenticate(cloud: FakeTTLockCloud, params: Params, now: int) -> FakeAccount:
    """clientId, accessToken (10003 malformed, 10004 unknown/expired) and date (80000)."""
    client_id = params.require("clientId")
    if client_id != cloud.client_id:
        raise CloudError(10000)
    access = params.get("accessToken")
    if access is None or not _HEX32.fullmatch(access):
        raise CloudError(10003)
    token = cloud.tokens.get(access)
    if token is None or token.revoked or token.expires_ms <= now:
        raise CloudError(10004)
    if abs(params.require_int("date") - now) > MAX_CLOCK_SKEW_MS:
        raise CloudError(80000)
    return token.account
