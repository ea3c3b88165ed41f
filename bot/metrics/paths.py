"""Request paths → bounded, secret-free label values ("/v2/generate/text/status/{id}").

Only allow-listed literal words survive; every other segment (ids, names, interaction and
webhook tokens, model names) becomes ``{id}``. So a label can never carry a key, a token or a
member's name, and the number of distinct values stays small.
"""

from __future__ import annotations

# Literal segments of the AI Horde's v2 paths (from its OpenAPI document).
HORDE_WORDS = frozenset(
    [
        "v2",
        "async",
        "award",
        "block_worker_ipaddr",
        "check",
        "collection_by_name",
        "collections",
        "documents",
        "example",
        "filters",
        "find_user",
        "generate",
        "heartbeat",
        "image",
        "image_by_name",
        "img",
        "interrogate",
        "ipaddr",
        "kudos",
        "messages",
        "models",
        "modes",
        "name",
        "news",
        "operations",
        "performance",
        "pop",
        "privacy",
        "rate",
        "regex",
        "sharedkeys",
        "sponsors",
        "stats",
        "status",
        "styles",
        "submit",
        "teams",
        "terms",
        "text",
        "text_by_name",
        "totals",
        "transfer",
        "users",
        "workers",
    ]
)
# Literal segments of the Discord REST routes the bot uses (and their neighbours).
DISCORD_WORDS = frozenset(
    [
        "applications",
        "commands",
        "guilds",
        "channels",
        "messages",
        "webhooks",
        "interactions",
        "callback",
        "original",
        "@original",
        "@me",
        "users",
        "members",
        "roles",
        "permissions",
        "threads",
        "thread-members",
        "archived",
        "public",
        "private",
        "reactions",
        "pins",
        "typing",
        "bulk-delete",
        "gateway",
        "bot",
        "auth",
        "logout",
        "emojis",
        "stickers",
        "invites",
        "attachments",
        "followup",
    ]
)
MAX_SEGMENTS = 8


def template(path: str, words: frozenset[str]) -> str:
    """``path`` with every segment that is not in ``words`` replaced by ``{id}``."""
    segments = [s for s in path.split("?", 1)[0].split("/") if s][:MAX_SEGMENTS]
    return "/" + "/".join(s if s in words else "{id}" for s in segments)


def horde_endpoint(path: str) -> str:
    """``/api/v2/generate/text/status/abc`` → ``/v2/generate/text/status/{id}``; else "other"."""
    start = path.find("/v2/")
    if start < 0:
        return "other"
    return template(path[start:], HORDE_WORDS)


def discord_route(path: str) -> str:
    """``/api/v10/channels/1/messages/2`` → ``/channels/{id}/messages/{id}``."""
    segments = path.split("/")
    if len(segments) > 3 and segments[1] == "api" and segments[2].startswith("v"):
        path = "/" + "/".join(segments[3:])
    return template(path, DISCORD_WORDS)


# The Discord route families latency is kept for (a histogram per route would cost every
# scrape a dozen series per route for little more insight).
DISCORD_FAMILIES = frozenset(["interactions", "webhooks", "channels"])


def discord_family(route: str) -> str:
    """``/webhooks/{id}/{id}/messages/@original`` → ``webhooks``; "other" for the rest."""
    first = route.split("/", 2)[1] if route.startswith("/") else ""
    return first if first in DISCORD_FAMILIES else "other"
