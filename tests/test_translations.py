"""Every translation key the integration uses exists; en.json equals strings.json."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

import hass_frontend
from homeassistant.const import Platform

COMPONENT = Path(__file__).parent.parent / "custom_components" / "ttlock_access"
STRINGS = json.loads((COMPONENT / "strings.json").read_text())
ICONS = json.loads((COMPONENT / "icons.json").read_text())


def _source(name: str) -> str:
    return (COMPONENT / f"{name}.py").read_text()


def test_en_equals_strings() -> None:
    """translations/en.json is a copy of strings.json."""
    assert json.loads((COMPONENT / "translations" / "en.json").read_text()) == STRINGS


def test_config_flow_keys() -> None:
    """Every error and abort reason of the flow is translated."""
    source = _source("config_flow")
    errors = set(re.findall(r'errors\[[^\]]+\] = "([a-z_]+)"', source))
    aborts = set(re.findall(r'reason="([a-z_]+)"', source)) | {"already_configured"}
    assert errors
    assert errors <= set(STRINGS["config"]["error"])
    assert aborts <= set(STRINGS["config"]["abort"])
    for step in ("user", "reauth_confirm", "reconfigure"):
        assert step in STRINGS["config"]["step"]
        assert f'step_id="{step}"' in source
    assert "init" in STRINGS["options"]["step"]


def test_exception_keys() -> None:
    """Every translation_key raised exists under exceptions."""
    used: set[str] = set()
    for name in ("coordinator", "entity"):
        used |= set(re.findall(r'translation_key="([a-z_]+)"', _source(name)))
        used |= set(re.findall(r'key = "([a-z_]+)"', _source(name)))
    used |= {"monthly_limit", "rate_limited"}
    assert used <= set(STRINGS["exceptions"])


def test_entity_keys() -> None:
    """Every entity translation_key has a name, and icons only name known keys."""
    platforms = (
        Platform.SENSOR,
        Platform.SWITCH,
        Platform.VALVE,
        Platform.EVENT,
        Platform.NUMBER,
        Platform.SELECT,
    )
    for platform in platforms:
        tree = ast.parse(_source(str(platform)))
        keys = {
            node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.keyword)
            and node.arg == "translation_key"
            and isinstance(node.value, ast.Constant)
        }
        assert keys, platform
        for key in keys:
            assert "name" in STRINGS["entity"][str(platform)][key], (platform, key)
    for platform, keys in ICONS["entity"].items():
        for key in keys:
            assert key in STRINGS["entity"][platform], (platform, key)
    event_types = STRINGS["entity"]["event"]["operation"]["state_attributes"]["event_type"]
    icon_types = ICONS["entity"]["event"]["operation"]["state_attributes"]["event_type"]
    assert set(event_types["state"]) == set(icon_types["state"])


def test_lock_setting_keys() -> None:
    """Each lock setting switch and each volume level has its words."""
    from custom_components.ttlock_access.select import VOLUME_LEVELS  # noqa: PLC0415
    from custom_components.ttlock_access.switch import LOCK_SWITCHES  # noqa: PLC0415

    for description in LOCK_SWITCHES:
        assert "name" in STRINGS["entity"]["switch"][description.translation_key]
    assert set(STRINGS["entity"]["select"]["volume"]["state"]) == set(VOLUME_LEVELS)


LANGUAGES = ("de", "es", "fr", "nl", "it", "pl", "pt-BR")
_PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}")


def _leaves(tree: object, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    if isinstance(tree, dict):
        return {
            leaf: text
            for key, value in tree.items()
            for leaf, text in _leaves(value, (*path, key)).items()
        }
    assert isinstance(tree, str), path
    return {path: tree}


def test_every_language_is_complete() -> None:
    """Seven languages besides English, each with every key and the same placeholders."""
    english = _leaves(STRINGS)
    for language in LANGUAGES:
        path = COMPONENT / "translations" / f"{language}.json"
        translated = _leaves(json.loads(path.read_text()))
        assert set(translated) == set(english), (
            language,
            sorted(set(english) - set(translated))[:5],
            sorted(set(translated) - set(english))[:5],
        )
        for key, text in english.items():
            assert sorted(_PLACEHOLDER.findall(translated[key])) == sorted(
                _PLACEHOLDER.findall(text)
            ), (language, key)
            assert translated[key].strip(), (language, key)


def test_icons_exist() -> None:
    """Every icon names a Material Design Icon the frontend has (a wrong name shows none)."""
    known = json.loads(
        (Path(hass_frontend.__file__).parent / "static" / "mdi" / "iconList.json").read_text()
    )
    names = {icon["name"] for icon in known} | {
        alias for icon in known for alias in icon.get("aliases", ())
    }
    used = set(re.findall(r'"mdi:([a-z0-9-]+)"', (COMPONENT / "icons.json").read_text()))
    assert used
    assert used - names == set()
