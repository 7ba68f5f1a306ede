"""Async client of the TTLock Open Platform cloud API (v3).

Endpoints, parameters and methods as the official pages document them (euopen.ttlock.com
document-pages/en/cloud/<area>/<page>; searched for this module):
- lock/list, lock/detail, gateway/queryLockOpenState (/v3/lock/queryOpenState -> state
  0 locked, 1 unlocked, 2 unknown), lock/lock,
  lock/unlock, lock/getPassageModeConfig (GET), lock/configPassageMode (POST: passageMode
  1 on / 2 off, isAllDay 1, weekDays JSON array, type 2 = via gateway or Wi-Fi).
- gateway/list, gateway/listLock.
- passcode/get, passcode/add (addType 2), passcode/change (changeType 2),
  passcode/delete (deleteType 2), lock/listKeyboardPwd, lockRecord/list.
- card/delete and fingerprint/delete (deleteType 2 = via gateway or Wi-Fi lock).
- eletricMeter/admin/{list,controlOnOff} and waterMeter/admin/{list,
  controlOnOff}: all POST forms (the meter pages document even the list as POST), lists
  answer only {total, list}; onOff 0/1.
"""

from __future__ import annotations

from datetime import datetime
import json
from typing import Final

from .const import (
    ORDER_NEWEST_FIRST,
    PAGE_SIZE_CARDS,
    PAGE_SIZE_FINGERPRINTS,
    PAGE_SIZE_GATEWAYS,
    PAGE_SIZE_KEYS,
    PAGE_SIZE_LOCKS,
    PAGE_SIZE_METERS,
    PAGE_SIZE_PASSCODES,
    PAGE_SIZE_RECORDS,
)
from .exceptions import TTLockConnectionError
from .models import (
    CreatedPasscode,
    CredentialKind,
    EKey,
    ElectricMeter,
    Fingerprint,
    Gateway,
    GatewayLink,
    IdentityCard,
    Lock,
    LockDetail,
    LockRecord,
    LockSetting,
    LockState,
    PassageModeConfig,
    Passcode,
    PasscodeType,
    WaterMeter,
    datetime_to_ms,
    ms_to_datetime,
    to_sunday_first,
)
from .transport import JSONDict, TTLockTransport, list_items

# "type"/"addType"/"changeType"/"deleteType" 2: through the gateway (or a Wi-Fi lock),
# rather than recording something an app already did over Bluetooth.
_VIA_GATEWAY: Final = 2
_PASSAGE_ON: Final = 1
_PASSAGE_OFF: Final = 2
_ALL_DAY: Final = 1
_EVERY_DAY: Final = json.dumps([1, 2, 3, 4, 5, 6, 7])


def _int_field(data: JSONDict, key: str, path: str) -> int:
    """Read a required integer of an answer."""
    try:
        return int(data[key])
    except KeyError, TypeError, ValueError:
        raise TTLockConnectionError(f"{path}: answer without {key}") from None


def _time_field(data: JSONDict, path: str) -> datetime:
    """Read the ``date`` (epoch ms) of a lock-clock answer."""
    moment = ms_to_datetime(_int_field(data, "date", path))
    if moment is None:
        raise TTLockConnectionError(f"{path}: answer without date")
    return moment


class TTLockClient(TTLockTransport):
    """The TTLock cloud operations the integration uses."""

    # --- locks --------------------------------------------------------------------

    async def list_locks(self) -> list[Lock]:
        """List every lock the account administers."""
        items = await self._fetch_all("GET", "/v3/lock/list", PAGE_SIZE_LOCKS)
        return [Lock.from_api(item) for item in items]

    async def get_lock_detail(self, lock_id: int) -> LockDetail:
        """Fetch the rarely changing facts of a lock (model, firmware, settings)."""
        data = await self._call("GET", "/v3/lock/detail", {"lockId": lock_id})
        return LockDetail.from_api(data)

    async def get_lock_time(self, lock_id: int) -> datetime:
        """Ask the lock, through its gateway, what time its clock says."""
        path = "/v3/lock/queryDate"
        data = await self._call("GET", path, {"lockId": lock_id}, gateway=True)
        return _time_field(data, path)

    async def sync_lock_time(self, lock_id: int) -> datetime:
        """Set the lock's clock to the cloud's time, through its gateway; its new time."""
        path = "/v3/lock/updateDate"
        data = await self._call("POST", path, {"lockId": lock_id}, gateway=True)
        return _time_field(data, path)

    async def get_lock_state(self, lock_id: int) -> LockState:
        """Ask the lock, through its gateway, whether it is locked."""
        path = "/v3/lock/queryOpenState"
        data = await self._call("GET", path, {"lockId": lock_id}, gateway=True)
        state = _int_field(data, "state", path)
        return LockState(state) if state in LockState else LockState.UNKNOWN

    async def lock(self, lock_id: int) -> None:
        """Lock remotely."""
        await self._call("POST", "/v3/lock/lock", {"lockId": lock_id}, gateway=True)

    async def unlock(self, lock_id: int) -> None:
        """Unlock remotely."""
        await self._call("POST", "/v3/lock/unlock", {"lockId": lock_id}, gateway=True)

    async def get_passage_mode(self, lock_id: int) -> PassageModeConfig:
        """Fetch the lock's passage mode settings."""
        data = await self._call("GET", "/v3/lock/getPassageModeConfig", {"lockId": lock_id})
        return PassageModeConfig.from_api(data)

    async def set_passage_mode(self, lock_id: int, enabled: bool) -> None:
        """Passage mode on (all day, every day) or off, applied through the gateway."""
        params = {
            "lockId": lock_id,
            "passageMode": _PASSAGE_ON if enabled else _PASSAGE_OFF,
            "isAllDay": _ALL_DAY,
            "weekDays": _EVERY_DAY,
            "type": _VIA_GATEWAY,
        }
        await self._call("POST", "/v3/lock/configPassageMode", params, gateway=True)

    async def configure_passage_mode(self, lock_id: int, config: PassageModeConfig) -> None:
        """Set passage mode with a schedule (weekdays 1 = Monday, minutes of the day)."""
        params: dict[str, str | int] = {
            "lockId": lock_id,
            "passageMode": _PASSAGE_ON if config.enabled else _PASSAGE_OFF,
            "isAllDay": _ALL_DAY if config.all_day else 2,
            "weekDays": json.dumps(list(config.weekdays)),
            "autoUnlock": 1 if config.auto_unlock else 2,
            "type": _VIA_GATEWAY,
        }
        if not config.all_day:
            params |= {"startDate": config.start_minute, "endDate": config.end_minute}
        await self._call("POST", "/v3/lock/configPassageMode", params, gateway=True)

    async def set_auto_lock_time(self, lock_id: int, seconds: int) -> None:
        """Auto lock ``seconds`` after an unlock (0: off), applied through the gateway."""
        params = {"lockId": lock_id, "seconds": seconds, "type": _VIA_GATEWAY}
        await self._call("POST", "/v3/lock/setAutoLockTime", params, gateway=True)

    async def update_setting(self, lock_id: int, setting: LockSetting, value: int) -> None:
        """Change a lock setting (switches: 1 on, 2 off; volume 1-5) through the gateway."""
        params = {
            "lockId": lock_id,
            "type": int(setting),
            "value": value,
            "changeType": _VIA_GATEWAY,
        }
        await self._call("POST", "/v3/lock/updateSetting", params, gateway=True)

    # --- gateways -----------------------------------------------------------------

    async def list_gateways(self) -> list[Gateway]:
        """List every gateway of the account."""
        items = await self._fetch_all(
            "GET", "/v3/gateway/list", PAGE_SIZE_GATEWAYS, {"orderBy": ORDER_NEWEST_FIRST}
        )
        return [Gateway.from_api(item) for item in items]

    async def list_gateway_locks(self, gateway_id: int) -> list[GatewayLink]:
        """List the locks a gateway reaches, with their signal."""
        path = "/v3/gateway/listLock"
        data = await self._call("GET", path, {"gatewayId": gateway_id})
        return [GatewayLink.from_api(i, gateway_id=gateway_id) for i in list_items(data, path)]

    # --- passcodes ----------------------------------------------------------------

    async def get_offline_passcode(
        self,
        lock_id: int,
        passcode_type: PasscodeType,
        *,
        name: str,
        start: datetime,
        end: datetime | None = None,
    ) -> CreatedPasscode:
        """Have the cloud generate an offline code (no gateway needed)."""
        path = "/v3/keyboardPwd/get"
        params: dict[str, str | int] = {
            "lockId": lock_id,
            "keyboardPwdType": int(passcode_type),
            "keyboardPwdName": name,
            "startDate": datetime_to_ms(start),
        }
        if end is not None:
            params["endDate"] = datetime_to_ms(end)
        data = await self._call("POST", path, params)
        if not data.get("keyboardPwd"):
            raise TTLockConnectionError(f"{path}: answer without keyboardPwd")
        return CreatedPasscode(_int_field(data, "keyboardPwdId", path), str(data["keyboardPwd"]))

    async def add_custom_passcode(
        self,
        lock_id: int,
        code: str,
        *,
        name: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> CreatedPasscode:
        """Add a code of our choosing through the gateway; permanent without a period."""
        if (start is None) != (end is None):
            raise ValueError("start and end go together")
        path = "/v3/keyboardPwd/add"
        params: dict[str, str | int] = {
            "lockId": lock_id,
            "keyboardPwd": code,
            "keyboardPwdName": name,
            "keyboardPwdType": int(PasscodeType.PERMANENT),
            "addType": _VIA_GATEWAY,
        }
        if start is not None and end is not None:
            params["keyboardPwdType"] = int(PasscodeType.PERIOD)
            params["startDate"] = datetime_to_ms(start)
            params["endDate"] = datetime_to_ms(end)
        data = await self._call("POST", path, params, gateway=True)
        return CreatedPasscode(_int_field(data, "keyboardPwdId", path), code)

    async def change_passcode(
        self,
        lock_id: int,
        passcode_id: int,
        *,
        name: str | None = None,
        new_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        """Rename a code, change its digits and/or its period.

        Digits and period change on the lock, through its gateway; a name alone is the
        cloud's record only (no changeType: no lock operation, no gateway needed).
        """
        # The cloud silently ignores a period change that lacks one of the dates.
        if (start is None) != (end is None):
            raise ValueError("start and end go together")
        params: dict[str, str | int] = {"lockId": lock_id, "keyboardPwdId": passcode_id}
        on_lock = new_code is not None or start is not None
        if on_lock:
            params["changeType"] = _VIA_GATEWAY
        if name is not None:
            params["keyboardPwdName"] = name
        if new_code is not None:
            params["newKeyboardPwd"] = new_code
        if start is not None and end is not None:
            params["startDate"] = datetime_to_ms(start)
            params["endDate"] = datetime_to_ms(end)
        if name is None and not on_lock:
            raise ValueError("nothing to change")
        await self._call("POST", "/v3/keyboardPwd/change", params, gateway=on_lock)

    async def delete_passcode(self, lock_id: int, passcode_id: int) -> None:
        """Delete a code from the lock, through the gateway."""
        params = {"lockId": lock_id, "keyboardPwdId": passcode_id, "deleteType": _VIA_GATEWAY}
        await self._call("POST", "/v3/keyboardPwd/delete", params, gateway=True)

    async def list_passcodes(self, lock_id: int) -> list[Passcode]:
        """List every passcode the cloud knows for a lock."""
        items = await self._fetch_all(
            "GET",
            "/v3/lock/listKeyboardPwd",
            PAGE_SIZE_PASSCODES,
            {"lockId": lock_id, "orderBy": ORDER_NEWEST_FIRST},
        )
        return [Passcode.from_api(item, lock_id=lock_id) for item in items]

    # --- records, cards, fingerprints -----------------------------------------------

    async def list_lock_records(
        self, lock_id: int, *, start: datetime | None = None, end: datetime | None = None
    ) -> list[LockRecord]:
        """List a lock's records, newest first (optionally between two times)."""
        params: dict[str, str | int] = {"lockId": lock_id}
        if start is not None:
            params["startDate"] = datetime_to_ms(start)
        if end is not None:
            params["endDate"] = datetime_to_ms(end)
        items = await self._fetch_all("GET", "/v3/lockRecord/list", PAGE_SIZE_RECORDS, params)
        records = [LockRecord.from_api(item, lock_id=lock_id) for item in items]
        # The cloud sends newest first; sorting keeps that promise whatever the pages do.
        return sorted(records, key=_record_time, reverse=True)

    async def list_cards(self, lock_id: int) -> list[IdentityCard]:
        """List the IC cards of a lock (numbers included: never log them)."""
        items = await self._fetch_all(
            "GET",
            "/v3/identityCard/list",
            PAGE_SIZE_CARDS,
            {"lockId": lock_id, "orderBy": ORDER_NEWEST_FIRST},
        )
        return [IdentityCard.from_api(item, lock_id=lock_id) for item in items]

    async def add_card(
        self,
        lock_id: int,
        number: str,
        name: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """Add an IC card by its number (as a reader gives it), through the gateway.

        Without ``start``/``end`` the card is permanent. Returns the card id.
        """
        params: dict[str, str | int] = {
            "lockId": lock_id,
            "cardNumber": number,
            "cardName": name,
            "startDate": 0 if start is None else datetime_to_ms(start),
            "endDate": 0 if end is None else datetime_to_ms(end),
            "addType": _VIA_GATEWAY,
        }
        path = "/v3/identityCard/addForReversedCardNumber"
        return _int_field(await self._call("POST", path, params, gateway=True), "cardId", path)

    async def list_fingerprints(self, lock_id: int) -> list[Fingerprint]:
        """List the fingerprints of a lock."""
        items = await self._fetch_all(
            "GET",
            "/v3/fingerprint/list",
            PAGE_SIZE_FINGERPRINTS,
            {"lockId": lock_id, "orderBy": ORDER_NEWEST_FIRST},
        )
        return [Fingerprint.from_api(item, lock_id=lock_id) for item in items]

    async def rename_credential(
        self, kind: CredentialKind, lock_id: int, credential_id: int, name: str
    ) -> None:
        """Rename a card or fingerprint (a cloud record: no lock operation)."""
        params: dict[str, str | int] = {
            "lockId": lock_id,
            kind.id_field: credential_id,
            kind.name_field: name,
        }
        await self._call("POST", f"{kind.path}/rename", params)

    async def change_credential_period(
        self, kind: CredentialKind, lock_id: int, credential_id: int, start: datetime, end: datetime
    ) -> None:
        """Give a card or fingerprint a new validity (never permanent), through the gateway."""
        params = {
            "lockId": lock_id,
            kind.id_field: credential_id,
            "startDate": datetime_to_ms(start),
            "endDate": datetime_to_ms(end),
            "changeType": _VIA_GATEWAY,
        }
        await self._call("POST", f"{kind.path}/changePeriod", params, gateway=True)

    async def delete_credential(
        self, kind: CredentialKind, lock_id: int, credential_id: int
    ) -> None:
        """Delete a card or fingerprint from the lock, through the gateway."""
        params = {"lockId": lock_id, kind.id_field: credential_id, "deleteType": _VIA_GATEWAY}
        await self._call("POST", f"{kind.path}/delete", params, gateway=True)

    async def list_keys(self, lock_id: int) -> list[EKey]:
        """List the eKeys of a lock (all but the admin's own)."""
        items = await self._fetch_all(
            "GET",
            "/v3/lock/listKey",
            PAGE_SIZE_KEYS,
            {"lockId": lock_id, "orderBy": ORDER_NEWEST_FIRST},
        )
        return [EKey.from_api(item, lock_id=lock_id) for item in items]

    async def send_key(
        self,
        lock_id: int,
        receiver: str,
        name: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        remote_unlock: bool = False,
        weekdays: tuple[int, ...] = (),
    ) -> int:
        """Send an eKey to a TTLock account (permanent without a window); its key id.

        A cloud record: no lock operation. Sending again to the same account replaces its
        key to this lock. With ``weekdays`` (1 = Monday) the key recurs: on those days from
        ``start``'s day to ``end``'s day, between their times of day.
        """
        params: dict[str, str | int] = {
            "lockId": lock_id,
            "receiverUsername": receiver,
            "keyName": name,
            "startDate": 0 if start is None else datetime_to_ms(start),
            "endDate": 0 if end is None else datetime_to_ms(end),
            "remoteEnable": 1 if remote_unlock else 2,
        }
        if weekdays:
            if start is None or end is None:
                raise ValueError("a recurring key needs a start and an end")
            first = start.replace(hour=0, minute=0, second=0, microsecond=0)
            last = end.replace(hour=23, minute=59, second=59, microsecond=0)
            # The daily times on the first day (the cloud reads only their time of day).
            daily_end = first.replace(hour=end.hour, minute=end.minute)
            params |= {
                "keyType": 4,
                "weekDays": json.dumps(sorted(to_sunday_first(day) for day in weekdays)),
                "startDay": datetime_to_ms(first),
                "endDay": datetime_to_ms(last),
                "startDate": datetime_to_ms(
                    start.replace(year=first.year, month=first.month, day=first.day)
                ),
                "endDate": datetime_to_ms(daily_end),
            }
        path = "/v3/key/send"
        return _int_field(await self._call("POST", path, params), "keyId", path)

    async def delete_key(self, key_id: int) -> None:
        """Delete an eKey."""
        await self._call("POST", "/v3/key/delete", {"keyId": key_id})

    async def set_key_frozen(self, key_id: int, frozen: bool) -> None:
        """Freeze an eKey (it stops opening the lock) or unfreeze it."""
        path = "/v3/key/freeze" if frozen else "/v3/key/unfreeze"
        await self._call("POST", path, {"keyId": key_id})

    async def change_key_period(self, key_id: int, start: datetime, end: datetime) -> None:
        """Give an eKey a new validity window."""
        params = {
            "keyId": key_id,
            "startDate": datetime_to_ms(start),
            "endDate": datetime_to_ms(end),
        }
        await self._call("POST", "/v3/key/changePeriod", params)

    # --- meters -------------------------------------------------------------------

    async def list_electric_meters(self) -> list[ElectricMeter]:
        """List every electricity meter of the account."""
        items = await self._fetch_all("POST", "/v3/electricMeter/list", PAGE_SIZE_METERS)
        return [ElectricMeter.from_api(item) for item in items]

    async def set_electric_meter_supply(self, meter_id: int, on: bool) -> None:
        """Switch the meter's relay (the supply) on or off."""
        params = {"electricMeterId": meter_id, "onOff": int(on)}
        await self._call("POST", "/v3/electricMeter/controlOnOff", params, gateway=True)

    async def list_water_meters(self) -> list[WaterMeter]:
        """List every water meter of the account."""
        items = await self._fetch_all("POST", "/v3/waterMeter/list", PAGE_SIZE_METERS)
        return [WaterMeter.from_api(item) for item in items]

    async def set_water_meter_valve(self, meter_id: int, open_: bool) -> None:
        """Open or close the meter's valve."""
        params = {"waterMeterId": meter_id, "onOff": int(open_)}
        await self._call("POST", "/v3/waterMeter/controlOnOff", params, gateway=True)


def _record_time(record: LockRecord) -> float:
    when = record.lock_date or record.server_date
    return when.timestamp() if when else 0.0
