"""Config flow of TTLock Access: user, reauth, reconfigure and options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from .api import (
    DEFAULT_SERVER,
    SERVERS,
    Token,
    TTLockAuthError,
    TTLockClient,
    TTLockConnectionError,
    TTLockError,
    TTLockInvalidClientError,
    TTLockRateLimitError,
    TTLockServerError,
    TTLockWrongRegionError,
)
from .const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_MONTHLY_ALLOWANCE,
    CONF_PASSCODE_QUOTA_LIMITED,
    CONF_PASSWORD,
    CONF_PASSWORD_MD5,
    CONF_SERVER,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DEFAULT_MONTHLY_ALLOWANCE,
    DEFAULT_PASSCODE_QUOTA_LIMITED,
    DOMAIN,
    LOGGER,
    MAX_MONTHLY_ALLOWANCE,
    MIN_MONTHLY_ALLOWANCE,
    SECTION_ADVANCED,
    SERVER_CUSTOM,
    SUBENTRY_GUEST_BINDING,
)
from .data import TTLockConfigEntry
from .guest_flow import GuestBindingFlow
from .webhook import async_webhook_url

PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)

CREDENTIALS_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_SERVER, default=DEFAULT_SERVER): SelectSelector(
            SelectSelectorConfig(
                options=list(SERVERS),
                translation_key=CONF_SERVER,
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        probatio.Required(CONF_CLIENT_ID): TextSelector(),
        probatio.Required(CONF_CLIENT_SECRET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        probatio.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
        ),
        probatio.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
        probatio.Required(SECTION_ADVANCED): section(
            probatio.Schema(
                {
                    probatio.Optional(CONF_BASE_URL): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.URL)
                    ),
                }
            ),
            {"collapsed": True},
        ),
    }
)

# Reconfiguring: the stored client secret is never sent back to the browser; left empty,
# it is kept.
RECONFIGURE_SCHEMA = CREDENTIALS_SCHEMA.extend(
    {
        probatio.Optional(CONF_CLIENT_SECRET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
    }
)
_NEVER_SUGGESTED = (CONF_CLIENT_SECRET, CONF_PASSWORD, CONF_PASSWORD_MD5, CONF_TOKEN)

REAUTH_SCHEMA = probatio.Schema({probatio.Required(CONF_PASSWORD): PASSWORD_SELECTOR})


def _base_url(user_input: Mapping[str, Any]) -> tuple[str, str]:
    """Return the server choice and API URL: a custom URL (advanced) wins."""
    if custom := (user_input.get(SECTION_ADVANCED) or {}).get(CONF_BASE_URL):
        return SERVER_CUSTOM, str(custom).rstrip("/")
    server = user_input[CONF_SERVER]
    return server, SERVERS[server]


class TTLockConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a TTLock account."""

    VERSION = 1
    MINOR_VERSION = 2

    async def _async_login(
        self,
        errors: dict[str, str],
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        username: str,
        password_md5: str,
    ) -> Token | None:
        """Log in; on failure fill ``errors`` and return None."""
        client = TTLockClient(
            async_get_clientsession(self.hass), client_id, client_secret, base_url=base_url
        )
        try:
            return await client.login(username, password_md5)
        except TTLockInvalidClientError:
            errors["base"] = "invalid_client"
        except TTLockWrongRegionError:
            errors[CONF_SERVER] = "wrong_region"
        except TTLockAuthError:
            errors["base"] = "invalid_auth"
        except TTLockRateLimitError:
            errors["base"] = "rate_limited"
        except TTLockConnectionError, TTLockServerError:
            errors["base"] = "cannot_connect"
        except TTLockError:
            LOGGER.exception("Unexpected answer of the TTLock cloud")
            errors["base"] = "unknown"
        return None

    async def _async_login_with(
        self, user_input: Mapping[str, Any], errors: dict[str, str]
    ) -> tuple[dict[str, Any], Token] | None:
        """Log in with a credentials form; the entry data it makes, and the token."""
        server, base_url = _base_url(user_input)
        data = {
            CONF_SERVER: server,
            CONF_BASE_URL: base_url,
            CONF_CLIENT_ID: user_input[CONF_CLIENT_ID].strip(),
            CONF_CLIENT_SECRET: user_input[CONF_CLIENT_SECRET].strip(),
            CONF_USERNAME: user_input[CONF_USERNAME].strip(),
            CONF_PASSWORD_MD5: TTLockClient.hash_password(user_input[CONF_PASSWORD]),
        }
        token = await self._async_login(
            errors,
            base_url=base_url,
            client_id=data[CONF_CLIENT_ID],
            client_secret=data[CONF_CLIENT_SECRET],
            username=data[CONF_USERNAME],
            password_md5=data[CONF_PASSWORD_MD5],
        )
        if token is None:
            return None
        data[CONF_TOKEN] = token.as_dict()
        return data, token

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the application and the account."""
        errors: dict[str, str] = {}
        if user_input is not None and (result := await self._async_login_with(user_input, errors)):
            data, token = result
            await self.async_set_unique_id(str(token.uid or data[CONF_USERNAME]))
            self._abort_if_unique_id_configured()
            data[CONF_WEBHOOK_ID] = webhook.async_generate_id()
            url = await async_webhook_url(self.hass, data[CONF_WEBHOOK_ID])
            return self.async_create_entry(
                title=data[CONF_USERNAME],
                data=data,
                options={
                    CONF_MONTHLY_ALLOWANCE: DEFAULT_MONTHLY_ALLOWANCE,
                    CONF_PASSCODE_QUOTA_LIMITED: DEFAULT_PASSCODE_QUOTA_LIMITED,
                },
                description_placeholders={"webhook_url": url or "-"},
            )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(CREDENTIALS_SCHEMA, user_input),
            errors=errors,
            description_placeholders={"developer_url": "https://euopen.ttlock.com/manager"},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start when the stored credentials no longer work."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new password of the account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            password_md5 = TTLockClient.hash_password(user_input[CONF_PASSWORD])
            token = await self._async_login(
                errors,
                base_url=entry.data[CONF_BASE_URL],
                client_id=entry.data[CONF_CLIENT_ID],
                client_secret=entry.data[CONF_CLIENT_SECRET],
                username=entry.data[CONF_USERNAME],
                password_md5=password_md5,
            )
            if token is not None:
                await self.async_set_unique_id(str(token.uid or entry.data[CONF_USERNAME]))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={CONF_PASSWORD_MD5: password_md5, CONF_TOKEN: token.as_dict()},
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=REAUTH_SCHEMA,
            errors=errors,
            description_placeholders={CONF_USERNAME: entry.data[CONF_USERNAME]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the server, the application or the credentials of the same account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            if not (user_input.get(CONF_CLIENT_SECRET) or "").strip():
                user_input = {**user_input, CONF_CLIENT_SECRET: entry.data[CONF_CLIENT_SECRET]}
            if result := await self._async_login_with(user_input, errors):
                data, token = result
                await self.async_set_unique_id(str(token.uid or data[CONF_USERNAME]))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data_updates=data)
            suggested: Mapping[str, Any] = user_input
        else:
            server = entry.data[CONF_SERVER]
            suggested = {
                **entry.data,
                CONF_SERVER: DEFAULT_SERVER if server == SERVER_CUSTOM else server,
                SECTION_ADVANCED: (
                    {CONF_BASE_URL: entry.data[CONF_BASE_URL]} if server == SERVER_CUSTOM else {}
                ),
            }
        suggested = {key: value for key, value in suggested.items() if key not in _NEVER_SUGGESTED}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(RECONFIGURE_SCHEMA, suggested),
            errors=errors,
        )

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: TTLockConfigEntry) -> TTLockOptionsFlow:
        """Options of an account."""
        return TTLockOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Guest access bindings (calendars to locks)."""
        return {SUBENTRY_GUEST_BINDING: GuestBindingFlow}


class TTLockOptionsFlow(OptionsFlowWithReload):
    """Monthly API allowance and passcode quota; shows the callback URL for push."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Edit the options."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    **user_input,
                    CONF_MONTHLY_ALLOWANCE: int(user_input[CONF_MONTHLY_ALLOWANCE]),
                }
            )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_MONTHLY_ALLOWANCE): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_MONTHLY_ALLOWANCE,
                        max=MAX_MONTHLY_ALLOWANCE,
                        step=1,
                        unit_of_measurement="calls",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                probatio.Required(CONF_PASSCODE_QUOTA_LIMITED): BooleanSelector(),
            }
        )
        options = {
            CONF_MONTHLY_ALLOWANCE: DEFAULT_MONTHLY_ALLOWANCE,
            CONF_PASSCODE_QUOTA_LIMITED: DEFAULT_PASSCODE_QUOTA_LIMITED,
            **self.config_entry.options,
        }
        url = await async_webhook_url(self.hass, self.config_entry.data[CONF_WEBHOOK_ID])
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, options),
            description_placeholders={"webhook_url": url or "-"},
        )
