"""Private stores whose damaged or foreign data never stops the set-up.

Home Assistant sets a file that is not JSON aside by itself (and raises its own repair).
Here: a file of another version (a newer one after a downgrade, or an older one without
a migration) is read as empty, and the managers parse
their items one by one and drop those they cannot read. Either way the entry loads, the
loss is logged (never a code), and a repair issue says which book lost how many items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging
from typing import Any, Final, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import UnsupportedStorageVersionError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

ISSUE_STORED_DATA_LOST: Final = "stored_data_lost"


class TolerantStore(Store[dict[str, Any]]):
    """A private store of one config entry; data of another version reads as empty."""

    def __init__(self, hass: HomeAssistant, version: int, key: str) -> None:
        """Set up the store (private: the files hold codes)."""
        super().__init__(hass, version, key, private=True)
        self.foreign = False  # the file was of another version and was not read

    @override
    async def async_load(self) -> dict[str, Any] | None:
        try:
            return await super().async_load()
        except UnsupportedStorageVersionError as err:
            # Written by a newer version of the integration (a downgrade).
            _LOGGER.warning("Stored data %s not read: %s; starting afresh", self.key, err)
            self.foreign = True
            return None

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        _LOGGER.warning(
            "Stored data %s is of version %s.%s, this version reads %s: starting afresh",
            self.key,
            old_major_version,
            old_minor_version,
            self.version,
        )
        self.foreign = True
        return {}


def parse_items[T](
    data: Any, parse: Callable[[str, Any], T], what: str
) -> tuple[dict[str, T], int]:
    """Parse a stored mapping item by item; return what was read and how many were not."""
    if not isinstance(data, Mapping):
        return {}, 0 if data is None else 1
    parsed: dict[str, T] = {}
    dropped = 0
    for key, item in data.items():
        try:
            parsed[str(key)] = parse(str(key), item)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            dropped += 1
            _LOGGER.warning("Dropped an unreadable stored %s: %s", what, type(err).__name__)
    return parsed, dropped


def report_lost(hass: HomeAssistant, entry_id: str, book: str, lost: int, foreign: bool) -> None:
    """Raise (or clear) the repair issue about a book's unreadable stored data."""
    issue_id = f"{ISSUE_STORED_DATA_LOST}_{book}_{entry_id}"
    if not lost and not foreign:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=f"{ISSUE_STORED_DATA_LOST}_{book}",
        translation_placeholders={"count": "all" if foreign else str(lost)},
    )
