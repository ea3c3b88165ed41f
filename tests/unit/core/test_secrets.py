"""Fernet at rest: round trips, rotation, undecryptable tokens and the generated key file."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import ConfigError, Settings
from bot.secrets import KEY_FILE_NAME, KeyVault, UndecryptableSecret, load_vault

PLAINTEXT = "horde-api-key-0123456789"


def new_key() -> str:
    return Fernet.generate_key().decode()


def settings_for(data_dir: Path, *keys: str) -> Settings:
    return Settings(discord_token="t", data_dir=data_dir, encryption_keys=keys)


def test_round_trip(vault: KeyVault) -> None:
    assert vault.decrypt(vault.encrypt(PLAINTEXT)) == PLAINTEXT


def test_token_does_not_contain_the_plaintext(vault: KeyVault) -> None:
    assert PLAINTEXT not in vault.encrypt(PLAINTEXT)


def test_old_tokens_decrypt_after_a_new_key_is_put_first() -> None:
    old, new = new_key(), new_key()
    token = KeyVault([old]).encrypt(PLAINTEXT)
    assert KeyVault([new, old]).decrypt(token) == PLAINTEXT


def test_rotate_reencrypts_under_the_first_key() -> None:
    old, new = new_key(), new_key()
    token = KeyVault([old]).encrypt(PLAINTEXT)
    rotated = KeyVault([new, old]).rotate(token)
    assert KeyVault([new]).decrypt(rotated) == PLAINTEXT


def test_token_under_an_unknown_key_is_undecryptable() -> None:
    token = KeyVault([new_key()]).encrypt(PLAINTEXT)
    with pytest.raises(UndecryptableSecret) as info:
        KeyVault([new_key()]).decrypt(token)
    assert token not in str(info.value)


def test_tampered_token_is_undecryptable(vault: KeyVault) -> None:
    token = vault.encrypt(PLAINTEXT)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(UndecryptableSecret):
        vault.decrypt(tampered)


def test_rotating_an_undecryptable_token_raises() -> None:
    token = KeyVault([new_key()]).encrypt(PLAINTEXT)
    with pytest.raises(UndecryptableSecret):
        KeyVault([new_key()]).rotate(token)


def test_vault_needs_a_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        KeyVault([])


def test_configured_keys_are_used_and_no_key_file_is_written(tmp_path: Path) -> None:
    key = new_key()
    vault = load_vault(settings_for(tmp_path, key))
    assert KeyVault([key]).decrypt(vault.encrypt(PLAINTEXT)) == PLAINTEXT
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_generated_key_file_has_mode_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    load_vault(settings_for(data_dir))
    assert stat.S_IMODE((data_dir / KEY_FILE_NAME).stat().st_mode) == 0o600


def test_generated_key_is_reused_on_the_next_load(tmp_path: Path) -> None:
    token = load_vault(settings_for(tmp_path)).encrypt(PLAINTEXT)
    assert load_vault(settings_for(tmp_path)).decrypt(token) == PLAINTEXT


def test_generating_a_key_warns_without_logging_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    load_vault(settings_for(tmp_path))
    key = (tmp_path / KEY_FILE_NAME).read_text().strip()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Back this file up" in r.getMessage() for r in warnings)
    assert key not in caplog.text


def test_loaded_keys_are_redacted_from_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = new_key()
    load_vault(settings_for(tmp_path, key))
    logging.getLogger("anything").error("oops %s", key)
    assert key not in caplog.text


def test_corrupt_key_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE_NAME).write_text("not a key at all")
    with pytest.raises(ConfigError) as info:
        load_vault(settings_for(tmp_path))
    assert info.value.variable == "ENCRYPTION_KEY"
    assert "not a key at all" not in str(info.value)
