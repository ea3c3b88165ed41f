"""Application command sync routes, Discord's command validation, and option building for
simulated slash commands and autocomplete."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.discord.http_app import BODY_KEY, json_response
from tests.fakes.discord.models import FakeChannel, FakeUser
from tests.fakes.discord.state import ApiError

if TYPE_CHECKING:
    from tests.fakes.discord.state import FakeState

NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
MAX_MENUS = 5  # user commands and message commands, each, per scope
SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL = 1, 2, 3, 4, 5, 6, 7
NUMBER = 10


def _error(path: str, message: str) -> ApiError:
    errors: dict[str, Any] = {
        "_errors": [{"code": "APPLICATION_COMMAND_INVALID", "message": message}]
    }
    for key in reversed(path.split(".")):
        errors = {key: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


def _check_options(options: list[dict[str, Any]], path: str) -> None:
    if len(options) > 25:
        raise _error(f"{path}.options", "Must be 25 or fewer in length.")
    seen_optional = False
    for i, opt in enumerate(options):
        where = f"{path}.options.{i}"
        _check_named(opt, where)
        if opt.get("required"):
            if seen_optional:
                raise _error(where, "Required options must be placed before non-required options")
        else:
            seen_optional = True
        if len(opt.get("choices") or []) > 25:
            raise _error(f"{where}.choices", "Must be 25 or fewer in length.")
        if opt.get("type") in (SUBCOMMAND, GROUP):
            _check_options(opt.get("options") or [], where)


def _check_named(item: dict[str, Any], where: str) -> None:
    name = item.get("name", "")
    if not NAME_RE.match(name) or name != name.lower():
        raise _error(f"{where}.name", "Command name is invalid")
    if not 1 <= len(item.get("description") or "") <= 100:
        raise _error(f"{where}.description", "Must be between 1 and 100 in length.")


def validate_commands(commands: list[dict[str, Any]]) -> None:
    """Raise Discord's 400 for commands Discord would reject (names, descriptions, options)."""
    if len(commands) > 100:
        raise ApiError(400, 30032, "Maximum number of application commands reached (100)")
    names: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        kind = cmd.get("type", 1)
        if kind == 1:
            _check_named(cmd, str(i))
            _check_options(cmd.get("options") or [], str(i))
        elif not 1 <= len(cmd.get("name", "")) <= 32:  # menus: any characters, spaces, capitals
            raise _error(f"{i}.name", "Command name is invalid")
        elif sum(c.get("type", 1) == kind for c in commands) > MAX_MENUS:
            raise ApiError(400, 30032, f"Maximum number of type {kind} commands reached (5)")
        key = (kind, cmd.get("name", ""))
        if key in names:
            raise _error(f"{i}.name", "Application command names must be unique")
        names.add(key)


class CommandRoutes:
    """``PUT``/``GET`` of global and guild command lists."""

    def __init__(self, state: FakeState) -> None:
        self.state = state

    def add_to(self, router: web.UrlDispatcher, prefix: str) -> None:
        base = prefix + "/applications/{app_id}"
        router.add_route("PUT", base + "/commands", self.put)
        router.add_route("GET", base + "/commands", self.get)
        router.add_route("PUT", base + "/guilds/{guild_id}/commands", self.put)
        router.add_route("GET", base + "/guilds/{guild_id}/commands", self.get)

    def _scope(self, request: web.Request) -> str | int:
        if request.match_info["app_id"] != str(self.state.application_id):
            raise ApiError(403, 50001, "Missing Access")
        guild = request.match_info.get("guild_id")
        if guild is None:
            return "global"
        if int(guild) not in self.state.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return int(guild)

    async def put(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        commands = request[BODY_KEY][0] or []
        validate_commands(commands)
        stored = []
        for cmd in commands:
            data = {
                "type": 1,
                "description": "",  # menus have none
                "default_member_permissions": None,
                "nsfw": False,
                "options": [],
                "contexts": None,  # null: Discord's default (guilds, and the bot's DMs)
                **cmd,
                # Omitted means guild install only, as on Discord.
                "integration_types": cmd.get("integration_types") or [0],
                "id": str(self.state.new_id()),
                "application_id": str(self.state.application_id),
                "version": "1",
            }
            if scope != "global":
                data["guild_id"] = str(scope)
            stored.append(data)
        self.state.synced_commands[scope] = stored
        self.state.sync_count += 1
        self.state.notify()
        return json_response(stored)

    async def get(self, request: web.Request) -> web.Response:
        return json_response(self.state.synced_commands.get(self._scope(request), []))


def find_schema(
    state: FakeState, name: str, guild_id: int | None, kind: int = 1
) -> tuple[dict[str, Any] | None, str | int]:
    """The command definition (synced, else registered from the bot's tree) named ``name`` of
    type ``kind`` (1 slash, 2 user menu, 3 message menu), and its scope ("global" or the guild
    id; guild commands win, as on Discord)."""
    scopes: list[str | int] = [guild_id, "global"] if guild_id else ["global"]
    for source in (state.synced_commands, state.tree_commands):
        for scope in scopes:
            for cmd in source.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == kind:
                    return cmd, scope
    return None, "global"


def _infer_type(value: Any) -> int:
    if isinstance(value, FakeUser):
        return USER
    if isinstance(value, FakeChannel):
        return CHANNEL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    return STRING


class OptionBuilder:
    """Turns ``{"prompt": "hi", "member": alice}`` into interaction options plus ``resolved``."""

    def __init__(self, state: FakeState, guild_id: int | None) -> None:
        self.state = state
        self.guild_id = guild_id
        self.resolved: dict[str, dict[str, Any]] = {}
        self.scope: str | int = "global"
        self.command_id: str | None = None

    def build(
        self, schema: list[dict[str, Any]] | None, values: dict[str, Any], focused: str | None
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in schema or []}
        if schema is not None:
            extra = set(values) - set(by_name)
            if extra:
                raise ValueError(
                    f"unknown options {sorted(extra)}; the command has {sorted(by_name)}"
                )
            missing = [n for n, o in by_name.items() if o.get("required") and n not in values]
            if missing and focused is None:
                raise ValueError(f"required options missing: {missing}")
        options = []
        for name, value in values.items():
            kind = by_name[name]["type"] if name in by_name else _infer_type(value)
            option: dict[str, Any] = {"name": name, "type": kind, "value": self._wire(kind, value)}
            if name == focused:
                option["focused"] = True
                option["value"] = str(option["value"])
            options.append(option)
        return options

    def _wire(self, kind: int, value: Any) -> Any:
        if isinstance(value, FakeUser):
            self.resolved.setdefault("users", {})[str(value.id)] = value.payload()
            guild = self.state.guild_by_id(self.guild_id or 0)
            if guild is not None and value.id in guild.permissions:
                member = self.state.member_payload(
                    guild, value, with_user=False, channel_permissions=True
                )
                self.resolved.setdefault("members", {})[str(value.id)] = member
            return str(value.id)
        if isinstance(value, FakeChannel):
            data = {**value.payload(), "permissions": str(self.state.bot_permissions)}
            self.resolved.setdefault("channels", {})[str(value.id)] = data
            return str(value.id)
        if kind == NUMBER and isinstance(value, int):
            return float(value)
        return value

    def build_command(
        self, path: str, values: dict[str, Any], focused: str | None
    ) -> tuple[str, list[dict[str, Any]]]:
        """Name and option tree for ``"kudos transfer"``-style paths (subcommands and groups)."""
        parts = path.split()
        schema, self.scope = find_schema(self.state, parts[0], self.guild_id)
        self.command_id = None if schema is None else schema.get("id")
        level: list[dict[str, Any]] | None = None if schema is None else schema.get("options", [])
        chain: list[tuple[str, int]] = []
        for depth, part in enumerate(parts[1:]):
            kind = SUBCOMMAND if depth == len(parts) - 2 else GROUP
            if level is not None:
                sub = next((o for o in level if o["name"] == part), None)
                if sub is None:
                    raise ValueError(f"/{parts[0]} has no subcommand {part!r}")
                kind, level = sub["type"], sub.get("options", [])
            chain.append((part, kind))
        options = self.build(level, values, focused)
        for part, kind in reversed(chain):
            options = [{"name": part, "type": kind, "options": options}]
        return parts[0], options
