"""Users, kudos transfers and teams."""

from __future__ import annotations

import uuid
from typing import Final

from bot.horde._args import check_len, only_set, raise_if
from bot.horde._base import _ClientBase, parse_list, parse_one
from bot.horde._transport import segment
from bot.horde.errors import HordeValidationError
from bot.horde.models import DeletedTeam, KudosTransferred, ModifyTeam, TeamDetails, UserDetails

USER_SORTS: Final = frozenset({"kudos", "age"})


class _AccountsMixin(_ClientBase):
    """User, kudos and team endpoints."""

    async def users(
        self, page: int = 1, sort: str = "kudos", *, retries: int | None = None
    ) -> list[UserDetails]:
        """List users, 25 a page: ``GET /v2/users?page=N&sort=kudos|age`` (seed: Users).

        Key: none — the list is public.

        Args:
            page: 1-based page (default 1); sort: kudos | age (default kudos).

        Returns:
            list of :class:`UserDetails`.

        Raises:
            HordeValidationError (page < 1, unknown sort), RateLimited, HordeUnavailable.
        """
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise HordeValidationError("page: must be >= 1", errors={"page": "must be >= 1"})
        if sort not in USER_SORTS:
            raise HordeValidationError(
                "sort: must be 'kudos' or 'age'", errors={"sort": "must be 'kudos' or 'age'"}
            )
        data = await self._request(
            "GET", "users", query={"page": str(page), "sort": sort}, retries=retries
        )
        return parse_list(UserDetails, data)

    async def user(
        self, user_id: int | str, *, apikey: str | None = None, retries: int | None = None
    ) -> UserDetails:
        """One user by numeric id: ``GET /v2/users/{user_id}`` (seed: UserSingle).

        Key: optional — sent only when given; the user or a moderator sees private fields.

        Limit: 60 a minute.

        Returns:
            :class:`UserDetails`.

        Raises:
            NotFound (UserNotFound), InvalidAPIKey, RateLimited, HordeUnavailable.
        """
        data = await self._request(
            "GET", f"users/{segment(user_id)}", apikey=apikey, retries=retries
        )
        return parse_one(UserDetails, data)

    async def find_user(
        self, apikey: str | None = None, *, retries: int | None = None
    ) -> UserDetails:
        """The user owning a key: ``GET /v2/find_user`` (seed: FindUser).

        Key: required — it is what is looked up.

        Args:
            apikey: the key to look up (default: the client's key).

        Returns:
            :class:`UserDetails`.

        Raises:
            NotFound (rc UserNotFound: the Horde's answer to an unknown key),
            InvalidAPIKey (missing key), RateLimited, HordeUnavailable.
        """
        data = await self._keyed("GET", "find_user", apikey, retries)
        return parse_one(UserDetails, data)

    async def transfer_kudos(
        self,
        username: str,
        amount: int,
        *,
        idempotency_key: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> float:
        """Give kudos to another user: ``POST /v2/kudos/transfer`` (seed: TransferKudos).

        Key: required — the sender's.

        Args:
            username: the receiver as ``alias#id``.
            amount: whole kudos, >= 1.
            idempotency_key: sent as the ``Idempotency-Key`` header; a uuid4 is generated
                when None. Callers that may repeat an action (a double click) pass their own.
            apikey: the sender's key (default: the client's key).
            retries: the transfer IS retried like a GET (429/502/503/504, dropped
                connections) because the same Idempotency-Key makes a repeat harmless.

        Returns:
            the kudos transferred (float).

        Raises:
            HordeValidationError (amount), KudosError (KudosTransferToSelf,
            KudosTransferNotEnough, InvalidTargetUsername, TooFastKudosTransfers, …),
            InvalidAPIKey, RateLimited, HordeUnavailable.
        """
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise HordeValidationError(
                "amount: must be a whole number of kudos >= 1",
                errors={"amount": "must be a whole number of kudos >= 1"},
            )
        key = idempotency_key or str(uuid.uuid4())
        data = await self._keyed(
            "POST",
            "kudos/transfer",
            apikey,
            retries,
            json={"username": username, "amount": amount},
            headers={"Idempotency-Key": key},
            idempotent=True,
        )
        return parse_one(KudosTransferred, data).transferred

    async def teams(
        self, *, apikey: str | None = None, retries: int | None = None
    ) -> list[TeamDetails]:
        """All teams: ``GET /v2/teams`` (seed: Teams).

        Key: optional — sent only when given.

        Limit: 30 a minute.

        Returns:
            list of :class:`TeamDetails`.

        Raises:
            RateLimited, HordeUnavailable.
        """
        data = await self._request("GET", "teams", apikey=apikey, retries=retries)
        return parse_list(TeamDetails, data)

    async def team(
        self, team_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> TeamDetails:
        """One team: ``GET /v2/teams/{team_id}`` (seed: TeamSingle).

        Key: optional — sent only when given; a non-moderator key gets 403, so send none.

        Returns:
            :class:`TeamDetails`.

        Raises:
            NotFound (TeamNotFound), Forbidden (NotModerator), RateLimited,
            HordeUnavailable.
        """
        data = await self._request(
            "GET", f"teams/{segment(team_id)}", apikey=apikey, retries=retries
        )
        return parse_one(TeamDetails, data)

    async def create_team(
        self,
        name: str,
        *,
        info: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> ModifyTeam:
        """Create a team: ``POST /v2/teams`` (seed: Teams).

        Key: required, a trusted user's (others get UntrustedTeamCreation). ``name`` 3..100
        characters, unique (TeamNameAlreadyExists); ``info`` 3..1000 (None: not sent).

        Returns:
            :class:`ModifyTeam` with the new team's ``id``.

        Raises:
            HordeValidationError, NameAlreadyExists, Profanity, NotTrusted, InvalidAPIKey,
            HordeUnavailable.
        """
        errors: dict[str, str] = {}
        check_len(errors, "name", name, 3, 100)
        check_len(errors, "info", info, 3, 1000)
        raise_if(errors)
        data = await self._keyed(
            "POST", "teams", apikey, retries, json=only_set(name=name, info=info)
        )
        return parse_one(ModifyTeam, data)

    async def modify_team(
        self,
        team_id: str,
        *,
        name: str | None = None,
        info: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> ModifyTeam:
        """Rename or describe a team: ``PATCH /v2/teams/{team_id}`` (seed: TeamSingle).

        Key: required — the swagger marks it optional, but only the team's creator or a
        moderator may change it (NotOwner), so the client's key is sent by default. ``name`` 3..100,
        ``info`` 3..1000; only those given are sent (none: 400 NoTeamModSelected). Team
        reads are cached 3 s by the server.

        Returns:
            :class:`ModifyTeam`.

        Raises:
            HordeValidationError, NoValidActions, NameAlreadyExists, Profanity, NotOwner,
            NotFound (TeamNotFound), InvalidAPIKey, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        check_len(errors, "name", name, 3, 100)
        check_len(errors, "info", info, 3, 1000)
        raise_if(errors)
        data = await self._keyed(
            "PATCH",
            f"teams/{segment(team_id)}",
            apikey,
            retries,
            json=only_set(name=name, info=info),
        )
        return parse_one(ModifyTeam, data)

    async def delete_team(
        self, team_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> DeletedTeam:
        """Delete a team: ``DELETE /v2/teams/{team_id}`` (seed: TeamSingle).

        Key: required — the creator's or a moderator's (the swagger says optional).
        Its workers leave the team.

        Returns:
            :class:`DeletedTeam` (``deleted_id``, ``deleted_name``).

        Raises:
            NotOwner, NotFound (TeamNotFound), InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed("DELETE", f"teams/{segment(team_id)}", apikey, retries)
        return parse_one(DeletedTeam, data)
