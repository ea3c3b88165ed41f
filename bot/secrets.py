"""Encryption at rest: each stored API key is one Fernet token (AES-128-CBC + HMAC-SHA256).

Several keys (``ENCRYPTION_KEY=new,old``) form a MultiFernet: the first encrypts, all decrypt,
so an operator can rotate keys without losing stored logins. Without ``ENCRYPTION_KEY`` a key is
generated once into ``DATA_DIR/encryption.key`` (mode 0600).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import ConfigError, Settings
from bot.logging_setup import register_secret

log = logging.getLogger(__name__)

KEY_FILE_NAME = "encryption.key"


class UndecryptableSecret(Exception):  # noqa: N818 - the name callers were promised
    """A stored token that none of the configured keys can decrypt (or that was tampered with)."""

    def __init__(self) -> None:
        super().__init__("a stored secret could not be decrypted with the configured keys")


class KeyVault:
    """Encrypts and decrypts short secrets with one or more Fernet keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("KeyVault needs at least one key")
        self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        """One Fernet token (url-safe ASCII) for ``plaintext``, under the first key."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext of ``token``; :class:`UndecryptableSecret` if no key opens it."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise UndecryptableSecret from None

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` under the first key (same plaintext)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise UndecryptableSecret from None


def load_vault(settings: Settings) -> KeyVault:
    """The vault for ``settings.encryption_keys``, else for the key file in ``data_dir``.

    The key file is created on first use, with a warning: losing it loses every stored login.
    Every key is registered for log redaction.
    """
    keys = settings.encryption_keys or (_read_or_create_key_file(settings.data_dir),)
    for key in keys:
        register_secret(key)
    return KeyVault(keys)


def _read_or_create_key_file(data_dir: Path) -> str:
    path = data_dir / KEY_FILE_NAME
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    with os.fdopen(fd, "wb") as file:
        file.write(key + b"\n")
        file.flush()
        os.fsync(file.fileno())
    log.warning(
        "ENCRYPTION_KEY is not set: generated a new encryption key in %s. Back this file up; "
        "without it the stored API keys cannot be decrypted.",
        path,
    )
    return key.decode("ascii")


def _read_key_file(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s is readable by other users (mode %o); run: chmod 600 %s", path, mode, path)
    key = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(
            "ENCRYPTION_KEY", f"is not set, and {path} does not hold a valid Fernet key"
        ) from None
    return key
