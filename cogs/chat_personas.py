"""What ``/chat persona add|edit|remove|list`` do, kept out of the /chat cog's module."""

from __future__ import annotations

from bot.chat.personas import DEFAULT_PERSONA, checked_persona, is_default
from bot.errors import BadInput
from bot.storage.chat import ChatRepository, Persona

__all__ = ["add_persona", "edit_persona", "persona_list", "remove_persona", "resolve_persona"]


async def resolve_persona(repo: ChatRepository, guild_id: int, name: str | None) -> Persona:
    """The guild's persona called ``name``; the built-in one when ``name`` is empty."""
    if name is None or not name.strip() or is_default(name):
        return DEFAULT_PERSONA
    found = await repo.get_persona(guild_id, name.strip())
    if found is None:
        raise BadInput(f"This server has no persona called `{name.strip()[:40]}`.")
    return found


async def add_persona(
    repo: ChatRepository,
    guild_id: int,
    by_user_id: int,
    name: str,
    description: str,
    greeting: str | None,
    model: str | None,
) -> Persona:
    persona = checked_persona(guild_id, name, description, greeting, model)
    if await repo.get_persona(guild_id, persona.name) is not None:
        raise BadInput(f"A persona called `{persona.name}` exists; use `/chat persona edit`.")
    await repo.save_persona(persona, by_user_id=by_user_id)
    return persona


async def edit_persona(
    repo: ChatRepository,
    guild_id: int,
    by_user_id: int,
    name: str,
    description: str | None,
    greeting: str | None,
    model: str | None,
) -> Persona:
    """Change the given fields; an empty string clears the greeting or model."""
    current = await repo.get_persona(guild_id, name.strip())
    if current is None:
        raise BadInput(f"This server has no persona called `{name.strip()[:40]}`.")
    persona = checked_persona(
        guild_id,
        current.name,
        description if description is not None else current.system_text,
        greeting if greeting is not None else current.greeting,
        model if model is not None else current.default_model,
    )
    await repo.save_persona(persona, by_user_id=by_user_id)
    return persona


async def remove_persona(repo: ChatRepository, guild_id: int, name: str) -> None:
    if not await repo.remove_persona(guild_id, name.strip()):
        raise BadInput(f"This server has no persona called `{name.strip()[:40]}`.")


async def persona_list(repo: ChatRepository, guild_id: int) -> str:
    """One line per persona, the built-in one first."""
    personas = [DEFAULT_PERSONA, *await repo.list_personas(guild_id)]
    lines = []
    for persona in personas:
        about = " ".join(persona.system_text.split())
        about = about if len(about) <= 80 else about[:79] + "…"
        model = f" · `{persona.default_model}`" if persona.default_model else ""
        lines.append(f"• **{persona.name}**{model} — {about}")
    return "\n".join(lines)
