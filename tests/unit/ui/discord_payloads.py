"""Minimal Discord payloads that discord.py's own models accept, for unit tests of the UI."""

from __future__ import annotations

from typing import Any

import discord

CHANNEL_ID = 10
MESSAGE_ID = 20
USER = {"id": "30", "username": "alice", "discriminator": "0", "avatar": None}


def message_payload(**extra: Any) -> dict[str, Any]:
    button = {"type": 2, "style": 1, "label": "Go", "custom_id": "live"}
    dynamic = {"type": 2, "style": 1, "label": "Dyn", "custom_id": "dyn:7"}
    return {
        "id": str(MESSAGE_ID),
        "channel_id": str(CHANNEL_ID),
        "type": 0,
        "author": USER,
        "content": "",
        "timestamp": "2026-12-06T05:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [{"type": 1, "components": [button, dynamic]}],
        "pinned": False,
        "flags": 0,
        **extra,
    }


def interaction(client: discord.Client, kind: int, data: dict[str, Any]) -> Any:
    payload = {
        "id": "40",
        "application_id": "50",
        "type": kind,
        "token": "not-a-real-token",
        "version": 1,
        "data": data,
        "channel_id": str(CHANNEL_ID),
        "user": USER,
        "message": message_payload(),
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 1024,
    }
    return discord.Interaction(data=payload, state=client._connection)  # type: ignore[arg-type]
