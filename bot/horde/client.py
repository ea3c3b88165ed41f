"""HordeClient: a typed async client for the AI Horde v2 text API.

One documented method per resource of the seed design note (see :data:`SEED_RESOURCES`)
and per text-side operation of the Horde's swagger (docs/horde-client.md lists them all),
each calling ``{base_url}/v2/…`` with the ``Client-Agent`` header. Keys: methods whose
endpoint requires a key send ``apikey=`` or the client's default key; methods whose endpoint
takes an optional key send one only when ``apikey=`` is given.
"""

from __future__ import annotations

from typing import Final

from bot.horde._accounts import _AccountsMixin
from bot.horde._collections import _CollectionsMixin
from bot.horde._generation import _GenerationMixin
from bot.horde._manage import _ManageMixin
from bot.horde._moderation import _ModerationMixin
from bot.horde._sharedkeys import _SharedKeysMixin
from bot.horde._stats import _StatsMixin
from bot.horde._status import _StatusMixin
from bot.horde._styles import _StylesMixin
from bot.horde._workers import _WorkersMixin

__all__ = ["SEED_RESOURCES", "HordeClient"]

SEED_RESOURCES: Final[dict[str, tuple[str, ...]]] = {
    "SyncGenerate": ("generate_sync",),
    "AsyncGenerate": ("generate_async",),
    "AsyncStatus": ("generate_status", "generate_cancel"),
    "AsyncCheck": ("generate_check",),
    "JobPop": ("job_pop",),
    "JobSubmit": ("job_submit",),
    "Users": ("users",),
    "UserSingle": ("user", "modify_user", "delete_user", "generate_proxy_passkey"),
    "FindUser": ("find_user",),
    "Workers": ("workers",),
    "WorkerSingle": ("worker", "worker_by_name", "modify_worker", "delete_worker"),
    "TransferKudos": ("transfer_kudos",),
    "HordeLoad": ("performance",),
    "HordeModes": ("modes", "set_modes"),
    "Models": ("models",),
    "HordeNews": ("news",),
    "Heartbeat": ("heartbeat",),
    "Teams": ("teams", "create_team"),
    "TeamSingle": ("team", "modify_team", "delete_team"),
    "OperationsIP": ("ip_timeouts", "ip_timeout", "add_ip_timeout", "remove_ip_timeout"),
}
"""Each resource of the seed design note → the client methods that cover it."""


class HordeClient(
    _GenerationMixin,
    _WorkersMixin,
    _AccountsMixin,
    _StatusMixin,
    _ManageMixin,
    _SharedKeysMixin,
    _StylesMixin,
    _CollectionsMixin,
    _ModerationMixin,
    _StatsMixin,
):
    """Async AI Horde v2 client.

    ``async with HordeClient(base_url=..., client_agent=..., apikey="0000000000",
    session=None, retries=3, timeout=30.0, clock=SYSTEM_CLOCK) as horde:``

    ``session``: an aiohttp session to use (left open on close) or None to own one.
    ``retries``: default retry count for idempotent calls (every method takes
    ``retries=`` to override). ``timeout``: seconds per HTTP request. ``clock``: what
    backoff and :meth:`generate_sync` sleep and measure deadlines with.
    """
