"""The member's own registered Horde key, for commands that change something on the Horde.

Such commands never fall back to a shared key: without a registered key they refuse before
anything is sent (:class:`bot.errors.NotLoggedIn`). Discord-free.
"""

from __future__ import annotations

from bot.errors import KeyNeedsRelogin, NotLoggedIn
from bot.secrets import UndecryptableSecret
from bot.services import Services

__all__ = ["registered_key"]


async def registered_key(services: Services, user_id: int) -> str:
    """The key ``user_id`` registered with ``/login``; raises a plain refusal otherwise."""
    try:
        account = await services.accounts.get(user_id)
    except UndecryptableSecret as exc:
        raise KeyNeedsRelogin() from exc
    if account is None:
        raise NotLoggedIn()
    return account.apikey
