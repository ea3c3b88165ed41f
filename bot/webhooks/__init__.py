"""Webhook mode: the Horde calls the bot when a generation finishes, instead of being polled.

:class:`WebhookRegistry` hands out one unguessable URL per submit and recognises the calls;
:func:`serve_webhooks` is the bot's own aiohttp listener behind a TLS-terminating proxy. A
call is only a hint: the poller confirms it with one status read (see docs/webhooks.md).
"""

from bot.webhooks.listener import MAX_BODY_BYTES, serve_webhooks
from bot.webhooks.registry import Verdict, WebhookRegistry

__all__ = ["MAX_BODY_BYTES", "Verdict", "WebhookRegistry", "serve_webhooks"]
