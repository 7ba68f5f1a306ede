"""/app/getMonthRequestCount: the application's API requests in the current month."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ..errors import CloudError
from .params import JSON, Params

if TYPE_CHECKING:
    from ..cloud import FakeTTLockCloud

MONTH_REQUEST_COUNT_PATH: Final = "/app/getMonthRequestCount"


def month_request_count(cloud: FakeTTLockCloud, params: Params) -> JSON:
    """Count the Beijing (UTC+8) month's requests, this one included; no access token.

    clientId and clientSecret are required (-3), a wrong one is 10001; other fields (the
    English page lists accessToken) are ignored.
    """
    client_id = params.require("clientId")
    client_secret = params.require("clientSecret")
    if client_id != cloud.client_id or client_secret != cloud.client_secret:
        raise CloudError(10001)
    cloud.current_month()
    return {"monthRequestCount": cloud.month_requests}
