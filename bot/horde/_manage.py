"""Worker owners', moderators' and admins' changes: workers, users, Horde modes, kudos awards.

Every method here changes something, so none is retried after an ambiguous failure.
"""

from __future__ import annotations

from typing import Any, Final

from bot.horde._args import check_int, check_len, only_set, raise_if
from bot.horde._base import _ClientBase, parse_one
from bot.horde._transport import segment
from bot.horde.models import (
    DeletedWorker,
    HordeModes,
    KudosAwarded,
    ModifyUser,
    ModifyWorker,
    SimpleResponse,
)

MAX_BLOCK_DAYS: Final = 30


class _ManageMixin(_ClientBase):
    """Changes to workers, users and the Horde's modes."""

    async def modify_worker(
        self,
        worker_id: str,
        *,
        maintenance: bool | None = None,
        maintenance_msg: str | None = None,
        paused: bool | None = None,
        info: str | None = None,
        name: str | None = None,
        team: str | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> ModifyWorker:
        """Change a worker: ``PUT /v2/workers/{worker_id}`` (seed: WorkerSingle).

        Key: required (default: the client's) — the server checks who asks. Maintenance,
        maintenance_msg and info: the owner or a moderator (others get NotOwner); name and
        team: a moderator, or the owner (NotModerator otherwise); paused: moderators only.
        Only the options given are sent; sending none is 400 NoWorkerModSelected.

        Args:
            maintenance: stop serving new jobs; maintenance_msg: what requesters see.
            info: up to 1000 characters; name: 5..100 characters; team: a team id ("" to
                leave the team), up to 36 characters.

        Returns:
            :class:`ModifyWorker` with the fields that changed.

        Raises:
            HordeValidationError, NoValidActions, NameAlreadyExists, Profanity, TooLong,
            NotOwner, NotModerator, NotFound (WorkerNotFound), InvalidAPIKey, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        check_len(errors, "info", info, 0, 1000)
        check_len(errors, "name", name, 5, 100)
        check_len(errors, "team", team, 0, 36)
        raise_if(errors)
        body = only_set(
            maintenance=maintenance,
            maintenance_msg=maintenance_msg,
            paused=paused,
            info=info,
            name=name,
            team=team,
        )
        data = await self._keyed("PUT", f"workers/{segment(worker_id)}", apikey, retries, json=body)
        return parse_one(ModifyWorker, data)

    async def delete_worker(
        self, worker_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> DeletedWorker:
        """Delete a worker: ``DELETE /v2/workers/{worker_id}`` (seed: WorkerSingle).

        Key: required — the swagger marks it optional, but only the owner or a moderator
        may delete, so the client's key is sent by default. A worker that held a job in the
        last 20 minutes cannot be deleted: 423 Locked (retry later).

        Returns:
            :class:`DeletedWorker` (``deleted_id``, ``deleted_name``).

        Raises:
            Locked, NotOwner, NotFound (WorkerNotFound), InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed("DELETE", f"workers/{segment(worker_id)}", apikey, retries)
        return parse_one(DeletedWorker, data)

    async def modify_user(
        self,
        user_id: int | str,
        *,
        kudos: float | None = None,
        concurrency: int | None = None,
        usage_multiplier: float | None = None,
        worker_invited: int | None = None,
        moderator: bool | None = None,
        public_workers: bool | None = None,
        monthly_kudos: int | None = None,
        username: str | None = None,
        trusted: bool | None = None,
        flagged: bool | None = None,
        customizer: bool | None = None,
        vpn: bool | None = None,
        service: bool | None = None,
        education: bool | None = None,
        special: bool | None = None,
        filtered: bool | None = None,
        reset_suspicion: bool | None = None,
        contact: str | None = None,
        admin_comment: str | None = None,
        undelete: bool | None = None,
        generate_kudos: bool | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> ModifyUser:
        """Change a user: ``PUT /v2/users/{user_id}`` (seed: UserSingle).

        Key: required (default: the client's). Admin only (NotAdmin): ``kudos`` (added, may
        be negative), ``monthly_kudos``, ``usage_multiplier`` (0.1..10), ``moderator``. The
        user themself or a moderator: ``username`` (3..100), ``public_workers``, ``contact``
        (5..500), ``undelete``. Moderators: the rest (``concurrency`` 0..500, ``trusted``,
        ``flagged``, ``customizer``, ``vpn``, ``service``, ``education``, ``special``,
        ``filtered``, ``reset_suspicion``, ``worker_invited``, ``admin_comment`` 5..500).
        ``generate_kudos`` is sent as given (a field of the live server beyond the swagger).
        Only the options given are sent; none is 400 NoUserModSelected.

        Returns:
            :class:`ModifyUser` with the fields that changed.

        Raises:
            HordeValidationError, NoValidActions, Profanity, TooLong, NotAdmin, NotModerator,
            NotFound (UserNotFound), InvalidAPIKey, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        if concurrency is not None:
            check_int(errors, "concurrency", concurrency, 0, 500)
        if usage_multiplier is not None and not 0.1 <= usage_multiplier <= 10:
            errors["usage_multiplier"] = "must be in 0.1..10"
        check_len(errors, "username", username, 3, 100)
        check_len(errors, "contact", contact, 5, 500)
        check_len(errors, "admin_comment", admin_comment, 5, 500)
        raise_if(errors)
        body = only_set(
            kudos=kudos,
            concurrency=concurrency,
            usage_multiplier=usage_multiplier,
            worker_invited=worker_invited,
            moderator=moderator,
            public_workers=public_workers,
            monthly_kudos=monthly_kudos,
            username=username,
            trusted=trusted,
            flagged=flagged,
            customizer=customizer,
            vpn=vpn,
            service=service,
            education=education,
            special=special,
            filtered=filtered,
            reset_suspicion=reset_suspicion,
            contact=contact,
            admin_comment=admin_comment,
            undelete=undelete,
            generate_kudos=generate_kudos,
        )
        return await self._put_user(user_id, body, apikey, retries)

    async def generate_proxy_passkey(
        self, user_id: int | str, *, apikey: str | None = None, retries: int | None = None
    ) -> ModifyUser:
        """New proxy passkey: ``PUT /v2/users/{user_id}`` (seed: UserSingle).

        Sends ``generate_proxy_passkey: true``. Key: required (the user's own or a
        moderator's). Only service accounts have a use for it (they label
        ``proxied_account`` requests).

        Returns:
            :class:`ModifyUser` whose ``proxy_passkey`` is the new 16-character passkey.

        Raises:
            NotModerator, NotFound (UserNotFound), InvalidAPIKey, HordeUnavailable.
        """
        body = {"generate_proxy_passkey": True}
        return await self._put_user(user_id, body, apikey, retries)

    async def _put_user(
        self, user_id: int | str, body: dict[str, Any], apikey: str | None, retries: int | None
    ) -> ModifyUser:
        data = await self._keyed("PUT", f"users/{segment(user_id)}", apikey, retries, json=body)
        return parse_one(ModifyUser, data)

    async def delete_user(
        self, user_id: int | str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Delete a user: ``DELETE /v2/users/{user_id}`` (seed: UserSingle).

        Key: required — the user themself or a moderator. Moderators cannot be deleted
        (CannotDeleteMod); a deleted account can be restored with ``undelete``.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            CannotDeleteMod, NotModerator, NotFound (UserNotFound), InvalidAPIKey,
            HordeUnavailable.
        """
        data = await self._keyed("DELETE", f"users/{segment(user_id)}", apikey, retries)
        return parse_one(SimpleResponse, data)

    async def set_modes(
        self,
        *,
        maintenance_mode: bool | None = None,
        invite_only_mode: bool | None = None,
        raid_mode: bool | None = None,
        apikey: str | None = None,
        retries: int | None = None,
    ) -> HordeModes:
        """Switch the Horde's modes: ``PUT /v2/status/modes`` (seed: HordeModes).

        Key: required. ``maintenance_mode`` needs an admin (NotAdmin); invite-only and raid
        mode a moderator (NotModerator). Only the options given are sent; none is 400
        NoHordeModSelected. Reads of ``GET /v2/status/modes`` are cached 50 s by the server.

        Returns:
            :class:`HordeModes` with what changed.

        Raises:
            NoValidActions, NotAdmin, NotModerator, InvalidAPIKey, HordeUnavailable.
        """
        body = only_set(
            maintenance_mode=maintenance_mode,
            invite_only_mode=invite_only_mode,
            raid_mode=raid_mode,
        )
        data = await self._keyed("PUT", "status/modes", apikey, retries, json=body)
        return parse_one(HordeModes, data)

    async def award_kudos(
        self, username: str, amount: int, *, apikey: str | None = None, retries: int | None = None
    ) -> float:
        """Award kudos out of thin air: ``POST /v2/kudos/award``.

        Key: required; only the Horde's own award account (user #1) may award, everyone
        else gets NotAllowedAwards. ``username`` is ``alias#id``; ``amount`` whole kudos >= 1.

        Returns:
            the kudos awarded (float).

        Raises:
            HordeValidationError, NotPrivileged (NotAllowedAwards), KudosError
            (InvalidAwardUsername, KudosAwardToAnon), InvalidAPIKey, HordeUnavailable.
        """
        errors: dict[str, str] = {}
        check_int(errors, "amount", amount, 1, 2**31 - 1)
        raise_if(errors)
        data = await self._keyed(
            "POST",
            "kudos/award",
            apikey,
            retries,
            json={"username": username, "amount": amount},
            idempotent=False,
        )
        return parse_one(KudosAwarded, data).awarded

    async def block_worker_ip(
        self, worker_id: str, days: int, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Block a worker's IP: ``PUT /v2/operations/block_worker_ipaddr/{worker_id}``.

        Key: required, a moderator's. ``days``: 1..30. Every worker from that IP stops.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            HordeValidationError, NotModerator, NotFound (WorkerNotFound), InvalidAPIKey,
            HordeUnavailable.
        """
        errors: dict[str, str] = {}
        check_int(errors, "days", days, 1, MAX_BLOCK_DAYS)
        raise_if(errors)
        data = await self._keyed(
            "PUT",
            f"operations/block_worker_ipaddr/{segment(worker_id)}",
            apikey,
            retries,
            json={"days": days},
        )
        return parse_one(SimpleResponse, data)

    async def unblock_worker_ip(
        self, worker_id: str, *, apikey: str | None = None, retries: int | None = None
    ) -> SimpleResponse:
        """Lift a worker's IP block: ``DELETE /v2/operations/block_worker_ipaddr/{worker_id}``.

        Key: required, a moderator's.

        Returns:
            :class:`SimpleResponse`.

        Raises:
            NotModerator, NotFound (WorkerNotFound), InvalidAPIKey, HordeUnavailable.
        """
        data = await self._keyed(
            "DELETE", f"operations/block_worker_ipaddr/{segment(worker_id)}", apikey, retries
        )
        return parse_one(SimpleResponse, data)
