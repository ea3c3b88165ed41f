"""Simulated interactions (what a user's Discord client triggers) and how the bot answered them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakes.discord.models import EPHEMERAL, FakeChannel, FakeMessage, FakeUser
from tests.fakes.discord.reach import Install, Reach, reach_of

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


@dataclass(eq=False)
class FakeInteraction:
    """One INTERACTION_CREATE and everything the bot did with it.

    ``response_type`` is the callback type (4 message, 5 deferred, 6 deferred update, 7 update,
    8 autocomplete, 9 modal); ``original()`` is the message ``@original`` refers to.
    """

    state: FakeState
    id: int
    type: int
    user: FakeUser
    channel: FakeChannel
    data: dict[str, Any]
    created: float
    token: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    source_message_id: int | None = None  # the message a clicked component is on
    response_type: int | None = None
    response: dict[str, Any] | None = None  # the callback body the bot sent
    ephemeral: bool = False
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    shard_id: int | None = None  # the gateway shard it was dispatched on
    install: Install | None = None  # asked for; None: what a member would have there
    reach: Reach | None = None  # context, authorizing owners, app permissions (once dispatched)

    async def wait_for_response(self, timeout: float = 5.0) -> int:
        """Wait for the initial callback and return its type."""
        return await self.state.wait_for(lambda: self.response_type, timeout)

    def original(self) -> FakeMessage | None:
        """The current state of ``@original`` (None before a message response)."""
        return None if self.original_id is None else self.state.messages.get(self.original_id)

    async def wait_for_original(
        self, predicate: Callable[[FakeMessage], bool] = lambda m: True, timeout: float = 5.0
    ) -> FakeMessage:
        """Wait until ``@original`` exists and satisfies ``predicate``; return it.

        Only the latest state is tested; ``msg.history`` keeps every earlier version.
        """

        def check() -> FakeMessage | None:
            msg = self.original()
            return msg if msg is not None and predicate(msg) else None

        return await self.state.wait_for(check, timeout)

    def followups(self) -> list[FakeMessage]:
        """Follow-up messages, oldest first (one that replaced a deferral is ``original``)."""
        return [self.state.messages[i] for i in self.followup_ids]

    async def wait_for_followup(
        self, predicate: Callable[[FakeMessage], bool] = lambda m: True, timeout: float = 5.0
    ) -> FakeMessage:
        def check() -> FakeMessage | None:
            return next((m for m in reversed(self.followups()) if predicate(m)), None)

        return await self.state.wait_for(check, timeout)


def base_payload(state: FakeState, ia: FakeInteraction) -> dict[str, Any]:
    """Every field discord.py requires of INTERACTION_CREATE, from a server (with or without the
    bot), the bot's DM, or a group DM; sets ``ia.reach``."""
    channel = ia.channel
    ia.reach = reach = reach_of(state, ia.user, channel, ia.install)
    data: dict[str, Any] = {
        "id": str(ia.id),
        "application_id": str(state.application_id),
        "type": ia.type,
        "token": ia.token,
        "version": 1,
        "data": ia.data,
        "channel_id": str(channel.id),
        "channel": channel.payload(),
        "locale": "en-US",
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "entitlements": [],
        "app_permissions": str(reach.app_permissions),
        "context": reach.context,
        "authorizing_integration_owners": reach.owners,
    }
    guild = state.guild_of(channel)
    if guild is None:
        data["user"] = ia.user.payload()
    else:
        member = state.member_payload(guild, ia.user, channel_permissions=True)
        data.update(
            guild_id=str(guild.id),
            guild_locale="en-US",
            member=member,
            guild={"id": str(guild.id), "locale": "en-US", "features": []},
        )
    if ia.source_message_id is not None:
        data["message"] = state.message_payload(state.messages[ia.source_message_id])
    return data


def origin_fields(ia: FakeInteraction) -> dict[str, Any]:
    """What a message answering ``ia`` says about it: ``interaction_metadata`` and the older
    ``interaction`` (whose ``name`` is the command's, subcommands included: "workers list")."""
    user = ia.user.payload()
    metadata: dict[str, Any] = {"id": str(ia.id), "type": ia.type, "user": user}
    metadata["authorizing_integration_owners"] = {} if ia.reach is None else ia.reach.owners
    legacy = {"id": str(ia.id), "type": ia.type, "name": command_path(ia), "user": user}
    return {"interaction_metadata": metadata, "interaction": legacy}


def command_path(ia: FakeInteraction) -> str:
    """The command's name with its subcommand group and subcommand ("" for a component)."""
    if ia.type != APPLICATION_COMMAND:
        return ""
    parts = [ia.data["name"]]
    options = ia.data.get("options") or []
    while options and options[0].get("type") in (1, 2):  # subcommand, subcommand group
        parts.append(options[0]["name"])
        options = options[0].get("options") or []
    return " ".join(parts)


def find_component(msg: FakeMessage, label: str | None, custom_id: str | None) -> dict[str, Any]:
    """The clickable component with this label or custom_id (ValueError when absent/disabled)."""
    for comp in msg.iter_components():
        if comp.get("type") not in (2, 3, 5, 6, 7, 8):
            continue
        if (custom_id is not None and comp.get("custom_id") == custom_id) or (
            label is not None and comp.get("label") == label
        ):
            if comp.get("disabled"):
                raise ValueError(f"component {label or custom_id!r} is disabled")
            if "custom_id" not in comp:
                raise ValueError(f"component {label or custom_id!r} is a link button")
            return comp
    raise ValueError(f"no component {label or custom_id!r} on message; buttons: {msg.buttons()}")


def modal_submit_components(modal: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    """What Discord sends back for a modal: its inputs (in rows or labels) with values filled."""

    def answer(comp: dict[str, Any]) -> dict[str, Any]:
        cid = comp.get("custom_id", "")
        if comp.get("type") == 4:
            return {
                "type": 4,
                "id": comp.get("id", 0),
                "custom_id": cid,
                "value": str(values.get(cid, comp.get("value") or "")),
            }
        value = values.get(cid, [])
        return {
            "type": comp.get("type"),
            "id": comp.get("id", 0),
            "custom_id": cid,
            "values": value if isinstance(value, list) else [value],
        }

    result = []
    for top in modal.get("components", []):
        if top.get("type") == 1:
            result.append({"type": 1, "components": [answer(c) for c in top.get("components", [])]})
        elif top.get("type") == 18:
            result.append(
                {"type": 18, "id": top.get("id", 0), "component": answer(top["component"])}
            )
    unknown = set(values) - {c.get("custom_id") for c in _inputs(modal)}
    if unknown:
        raise ValueError(f"the modal has no inputs {sorted(unknown)}")
    return result


def _inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for top in modal.get("components", []):
        found += top.get("components", [])
        if "component" in top:
            found.append(top["component"])
    return found


def is_ephemeral(payload_data: dict[str, Any] | None) -> bool:
    return bool((payload_data or {}).get("flags", 0) & EPHEMERAL)
