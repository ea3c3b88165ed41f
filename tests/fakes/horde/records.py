"""Records of the fake Horde's social side: styles, collections, shared keys, filters,
worker messages and worker-IP blocks, with the helpers tests use to seed them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.horde.models import User, new_id

#: Shared keys a user may hold (trusted users: 10), as the live server enforces.
MAX_SHARED_KEYS = 3
MAX_SHARED_KEYS_TRUSTED = 10
#: A second worker message POSTed within this many seconds returns the first (cached POST).
MESSAGE_CACHE_SECONDS = 60.0


@dataclass(eq=False)
class Style:
    id: str
    name: str
    creator: User
    prompt: str = "{p}"
    models: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    info: str | None = None
    public: bool = True
    nsfw: bool = False
    tags: list[str] = field(default_factory=list)
    sharedkey: str | None = None
    use_count: int = 0


@dataclass(eq=False)
class Collection:
    id: str
    name: str
    creator: User
    type: str = "text"
    info: str | None = None
    public: bool = True
    styles: list[Style] = field(default_factory=list)
    use_count: int = 0


@dataclass(eq=False)
class SharedKey:
    id: str
    owner: User
    kudos: int = 5000
    expiry: float | None = None  # clock time; None: never
    name: str | None = None
    max_image_pixels: int = -1
    max_image_steps: int = -1
    max_text_tokens: int = -1
    utilized: int = 0


@dataclass(eq=False)
class Filter:
    id: str
    regex: str
    filter_type: int
    user: User
    description: str | None = None
    replacement: str = ""


@dataclass(eq=False)
class WorkerMessage:
    id: str
    sender: User
    message: str
    worker_id: str | None
    origin: str | None
    expiry: float  # clock time


@dataclass
class Records:
    """Everything the management routes create, by id (creation order kept)."""

    styles: dict[str, Style] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)
    shared_keys: dict[str, SharedKey] = field(default_factory=dict)
    # Every shared key ever made, deleted ones too: the secret guard watches them all.
    shared_keys_ever: list[str] = field(default_factory=list)
    filters: dict[str, Filter] = field(default_factory=dict)
    messages: dict[str, WorkerMessage] = field(default_factory=dict)
    worker_ip_blocks: dict[str, float] = field(default_factory=dict)  # worker id -> until
    # (sender id) -> (time, message): the cached POST /v2/workers/messages answer.
    message_cache: dict[int, tuple[float, WorkerMessage]] = field(default_factory=dict)
    documents: dict[str, str] = field(
        default_factory=lambda: {
            "privacy": "Fake Horde privacy policy.",
            "sponsors": "Fake Horde sponsors.",
            "terms": "Fake Horde terms of service.",
        }
    )

    def add_style(self, name: str, creator: User, **fields: Any) -> Style:
        style = Style(new_id(), name, creator, **fields)
        self.styles[style.id] = style
        return style

    def add_collection(
        self, name: str, creator: User, styles: list[Style], **fields: Any
    ) -> Collection:
        collection = Collection(new_id(), name, creator, styles=list(styles), **fields)
        self.collections[collection.id] = collection
        return collection

    def add_shared_key(self, owner: User, **fields: Any) -> SharedKey:
        key = SharedKey(new_id(), owner, **fields)
        self.shared_keys[key.id] = key
        self.shared_keys_ever.append(key.id)
        return key

    def add_filter(self, regex: str, filter_type: int, user: User, **fields: Any) -> Filter:
        item = Filter(new_id(), regex, filter_type, user, **fields)
        self.filters[item.id] = item
        return item

    def keys_of(self, user: User) -> list[SharedKey]:
        return [k for k in self.shared_keys.values() if k.owner is user]

    def style_by_name(self, name: str) -> Style | None:
        """``alias#id::name`` picks one user's style; a plain name the first of that name."""
        owner, sep, plain = name.rpartition("::")
        for style in self.styles.values():
            if style.name == (plain if sep else name) and (
                not sep or style.creator.username == owner
            ):
                return style
        return None
