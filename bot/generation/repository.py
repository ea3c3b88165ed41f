"""The ``generations`` table: every generation from the moment the bot accepts it.

Rows outlive the process so a restart resumes polling and completes the same reply. The
interaction token is a secret (it can edit the reply for 15 minutes): it is stored encrypted
with the :class:`~bot.secrets.KeyVault`, cleared once the result is delivered, and purged with
the row after the retention period together with the prompt and the results.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from bot.clock import SYSTEM_CLOCK, Clock
from bot.generation.errors import ErrorKind
from bot.generation.state import (
    TERMINAL_STATES,
    ErrorInfo,
    Generation,
    GenerationRequest,
    HordeStatus,
    JobKind,
    JobRecord,
    JobState,
    Payer,
    ReplyAddress,
    dumps,
)
from bot.generation.write_batch import WriteBatch
from bot.secrets import KeyVault, UndecryptableSecret
from bot.storage.database import Database, Row

__all__ = ["JobRepository"]

log = logging.getLogger(__name__)

_COLUMNS = (
    "id, kind, state, horde_id, user_id, guild_id, channel_id, application_id, "
    "interaction_token, message_id, private, issued_at, prompt, params, models, options, status, "
    "generations, error_kind, error_rc, error_message, context, created_at, submitted_at, "
    "finished_at, delivered_at, polled_at, dm_fallback, undelivered, payer"
)
_ACTIVE = tuple(s.value for s in (JobState.PENDING, JobState.SUBMITTED))
_TERMINAL = tuple(s.value for s in TERMINAL_STATES)
_IN_ACTIVE = f"state IN ({', '.join('?' * len(_ACTIVE))})"
_IN_TERMINAL = f"state IN ({', '.join('?' * len(_TERMINAL))})"
_UPDATE_STATUS = (
    "UPDATE generations SET status = ?, generations = ?, polled_at = ? "  # noqa: S608
    f"WHERE id = ? AND {_IN_ACTIVE}"
)

_MARK_SUBMITTED = (
    "UPDATE generations SET horde_id = ?, submitted_at = ?, polled_at = ?, "
    "webhook_digest = ?, state = CASE WHEN state = ? THEN ? ELSE state END WHERE id = ?"
)
_FINISH = (
    "UPDATE generations SET state = ?, finished_at = ?, "
    "status = COALESCE(?, status), generations = COALESCE(?, generations), "
    "error_kind = ?, error_rc = ?, error_message = ? WHERE id = ?"
)
_MARK_DELIVERED = (
    "UPDATE generations SET delivered_at = ?, undelivered = ?, interaction_token = NULL "
    "WHERE id = ?"
)


# Backoff of retried job writes, in seconds.
WRITE_RETRY_FIRST_DELAY = 0.1
WRITE_RETRY_MAX_DELAY = 2.0


class JobRepository:
    """Reads and writes jobs; each write is committed (autocommit) before the method returns.

    Updates that SQLite refuses for a while ("database is locked", a failing disk) are
    retried with backoff for up to ``write_retry_seconds``: a job's progress must not be
    lost to a passing fault, and nothing else can write it later.
    """

    def __init__(
        self,
        db: Database,
        vault: KeyVault,
        *,
        clock: Clock = SYSTEM_CLOCK,
        write_retry_seconds: float = 30.0,
    ) -> None:
        self._db = db
        self._vault = vault
        self._clock = clock
        self._write_retry_seconds = write_retry_seconds
        # The writes every generation makes, each coalesced with the same write of the other
        # jobs in the same loop turn (one hand-off to SQLite's thread for all of them; each
        # caller still returns only once its own row is committed: see WriteBatch).
        self._status_batch = self._batch(_UPDATE_STATUS)
        self._submitted_batch = self._batch(_MARK_SUBMITTED)
        self._finish_batch = self._batch(_FINISH)
        self._delivered_batch = self._batch(_MARK_DELIVERED)

    async def insert(
        self, request: GenerationRequest, *, now: float, lease: tuple[str, float] | None = None
    ) -> int:
        """Store a new job in state ``pending``; returns its local id. ``lease`` (owner, until),
        when several processes share the database, is written with it (no write of its own)."""
        reply = request.reply
        token = reply.interaction_token
        lease_owner, lease_expires_at = lease or (None, None)
        rows = await self._db.write_returning(
            "INSERT INTO generations (kind, state, user_id, guild_id, channel_id, "
            "application_id, interaction_token, message_id, private, issued_at, prompt, "
            "params, models, options, context, created_at, dm_fallback, payer, "
            "lease_owner, lease_expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                JobKind(request.kind).value,
                JobState.PENDING.value,
                request.user_id,
                request.guild_id,
                reply.channel_id,
                reply.application_id,
                self._vault.encrypt(token) if token else None,
                reply.message_id,
                int(reply.private),
                reply.issued_at,
                request.prompt,
                dumps(dict(request.params)),
                dumps(list(request.models)),
                dumps(request.submit_options()),
                dumps(dict(request.context)),
                now,
                int(reply.dm_fallback),
                request.payer.value if request.payer else None,
                lease_owner,
                lease_expires_at,
            ),
        )
        return int(rows[0]["id"])

    async def get(self, job_id: int) -> JobRecord | None:
        rows = await self._select("id = ?", (job_id,))
        return rows[0] if rows else None

    async def mark_submitted(
        self, job_id: int, horde_id: str, *, now: float, webhook_digest: str | None = None
    ) -> None:
        """The Horde accepted the job under ``horde_id`` (a job cancelled meanwhile stays so).

        ``webhook_digest``: in webhook mode, the digest of the job's secret webhook path.
        """
        row = (
            horde_id,
            now,
            now,
            webhook_digest,
            JobState.PENDING.value,
            JobState.SUBMITTED.value,
            job_id,
        )
        await self._submitted_batch.add(row)

    async def webhook_digests(self) -> dict[int, str]:
        """The webhook path digests of jobs still running (webhook mode, after a restart)."""
        rows = await self._db.fetchall(
            f"SELECT id, webhook_digest FROM generations WHERE {_IN_ACTIVE} "  # noqa: S608
            "AND webhook_digest IS NOT NULL",
            _ACTIVE,
        )
        return {int(row[0]): str(row[1]) for row in rows}

    async def update_status(
        self,
        job_id: int,
        status: HordeStatus,
        generations: Sequence[Generation],
        *,
        now: float,
    ) -> None:
        """Store the latest status the Horde reported (and the generations finished so far).

        Written in a batch with the other jobs of the same poll round; a job that has ended
        meanwhile keeps its final status.
        """
        row = (dumps(status.to_json()), _dump_generations(generations), now, job_id, *_ACTIVE)
        await self._status_batch.add(row)

    async def finish(
        self,
        job_id: int,
        state: JobState,
        *,
        now: float,
        status: HordeStatus | None = None,
        generations: Sequence[Generation] | None = None,
        error: ErrorInfo | None = None,
    ) -> None:
        """Move the job to a terminal ``state``; ``status``/``generations`` kept when None."""
        if not state.terminal:
            raise ValueError(f"{state} is not a terminal state")
        row = (
            state.value,
            now,
            dumps(status.to_json()) if status is not None else None,
            _dump_generations(generations) if generations is not None else None,
            error.kind if error else None,
            error.rc if error else None,
            error.message if error else None,
            job_id,
        )
        await self._finish_batch.add(row)

    async def set_message_id(self, job_id: int, message_id: int) -> None:
        """Remember the id of the reply message (known only after the first edit)."""
        await self._write(
            "UPDATE generations SET message_id = ? WHERE id = ?", (message_id, job_id)
        )

    async def set_context(self, job_id: int, context: dict[str, Any]) -> None:
        """Replace the Discord layer's free-form context of a job."""
        await self._write(
            "UPDATE generations SET context = ? WHERE id = ?", (dumps(context), job_id)
        )

    async def mark_delivered(self, job_id: int, *, now: float, undelivered: bool = False) -> None:
        """The terminal result reached the user (or, ``undelivered``, can reach nobody and
        waits in their history); the interaction token is no longer kept."""
        await self._delivered_batch.add((now, int(undelivered), job_id))

    async def list_recent(
        self, user_id: int, kind: JobKind, *, limit: int, offset: int = 0
    ) -> list[JobRecord]:
        """A user's jobs of one kind, newest first (their history)."""
        sql = (
            f"SELECT {_COLUMNS} FROM generations WHERE user_id = ? AND kind = ? "  # noqa: S608
            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = await self._db.fetchall(sql, (user_id, kind.value, limit, offset))
        return [self._record(row) for row in rows]

    async def list_unfinished(self) -> list[JobRecord]:
        """Jobs still pending or submitted, oldest first (to resume after a restart)."""
        return await self._select(_IN_ACTIVE, _ACTIVE)

    async def list_undelivered(self) -> list[JobRecord]:
        """Terminal jobs whose result was never acknowledged by the Discord layer."""
        return await self._select(f"{_IN_TERMINAL} AND delivered_at IS NULL", _TERMINAL)

    async def list_in_flight(self, user_id: int, guild_id: int | None = None) -> list[JobRecord]:
        """A user's pending or submitted jobs (in one guild when ``guild_id`` is given)."""
        if guild_id is None:
            return await self._select(f"user_id = ? AND {_IN_ACTIVE}", (user_id, *_ACTIVE))
        return await self._select(
            f"user_id = ? AND guild_id = ? AND {_IN_ACTIVE}", (user_id, guild_id, *_ACTIVE)
        )

    async def count_in_flight(self, user_id: int | None = None) -> int:
        """Pending or submitted jobs, of one user or of everyone."""
        where: str = _IN_ACTIVE
        args: tuple[Any, ...] = _ACTIVE
        if user_id is not None:
            where, args = f"user_id = ? AND {_IN_ACTIVE}", (user_id, *_ACTIVE)
        row = await self._db.fetchone(
            f"SELECT COUNT(*) FROM generations WHERE {where}",  # noqa: S608 - constant SQL
            args,
        )
        return int(row[0]) if row else 0

    async def purge_finished(self, *, older_than: float) -> int:
        """Delete terminal jobs finished before ``older_than``; returns how many went.

        Their prompts, results and tokens go with them; the WAL is checkpointed so the
        deleted rows do not linger in the ``-wal`` file.
        """
        args: tuple[Any, ...] = (*_TERMINAL, older_than)
        count = await self._db.execute(
            f"DELETE FROM generations WHERE {_IN_TERMINAL} AND finished_at < ?",  # noqa: S608
            args,
        )
        if count:
            await self._db.checkpoint()
        return count

    def _batch(self, sql: str) -> WriteBatch:
        async def write_rows(rows: Sequence[tuple[Any, ...]]) -> None:
            await self._retrying(self._db.run_many, sql, rows)

        return WriteBatch(write_rows)

    async def _write(self, sql: str, args: Iterable[Any]) -> None:
        await self._retrying(self._db.run, sql, tuple(args))

    async def _retrying(
        self, write: Callable[[str, Any], Awaitable[None]], sql: str, params: Any
    ) -> None:
        deadline = self._clock.monotonic() + self._write_retry_seconds
        delay = WRITE_RETRY_FIRST_DELAY
        while True:
            try:
                await write(sql, params)
                return
            except self._db.statement_errors:
                raise  # a bug in the statement: retrying cannot help
            except self._db.retryable_errors as exc:
                if self._clock.monotonic() + delay > deadline:
                    raise
                log.warning("job write failed (%s); retrying in %.1f s", exc, delay)
                await self._clock.sleep(delay)
                delay = min(delay * 2, WRITE_RETRY_MAX_DELAY)

    async def _select(self, where: str, args: Iterable[Any]) -> list[JobRecord]:
        sql = f"SELECT {_COLUMNS} FROM generations WHERE {where} ORDER BY id"  # noqa: S608
        rows = await self._db.fetchall(sql, tuple(args))
        return [self._record(row) for row in rows]

    def _record(self, row: Row) -> JobRecord:
        """A row (read by column name) as a record, with the token decrypted."""
        token: str | None = None
        if row["interaction_token"]:
            try:
                token = self._vault.decrypt(row["interaction_token"])
            except UndecryptableSecret:
                # The encryption key changed: the reply can no longer be edited, but the
                # Discord layer can still post the result as a new message.
                log.warning("interaction token of job %s cannot be decrypted", row["id"])
        status = json.loads(row["status"]) if row["status"] else None
        error = None
        if row["error_kind"]:
            kind, rc, message = row["error_kind"], row["error_rc"], row["error_message"]
            error = ErrorInfo(kind=_kind(kind), rc=rc, message=message or "")
        return JobRecord(
            id=row["id"],
            kind=JobKind(row["kind"]),
            state=JobState(row["state"]),
            horde_id=row["horde_id"],
            user_id=row["user_id"],
            guild_id=row["guild_id"],
            reply=ReplyAddress(
                channel_id=row["channel_id"],
                application_id=row["application_id"],
                interaction_token=token,
                message_id=row["message_id"],
                private=bool(row["private"]),
                issued_at=row["issued_at"],
                dm_fallback=bool(row["dm_fallback"]),
            ),
            prompt=row["prompt"],
            params=json.loads(row["params"]),
            models=tuple(json.loads(row["models"])),
            options=json.loads(row["options"]),
            status=HordeStatus.from_any(status) if status is not None else None,
            generations=tuple(Generation.from_any(g) for g in json.loads(row["generations"])),
            error=error,
            context=json.loads(row["context"]),
            created_at=row["created_at"],
            submitted_at=row["submitted_at"],
            finished_at=row["finished_at"],
            delivered_at=row["delivered_at"],
            polled_at=row["polled_at"],
            undelivered=bool(row["undelivered"]),
            payer=_payer(row["payer"]),
        )


def _payer(value: str | None) -> Payer | None:
    """The stored payer; None for jobs stored before it was recorded (or an unknown value)."""
    try:
        return Payer(value) if value else None
    except ValueError:
        return None


def _kind(value: str) -> str:
    """The stored error kind as an :class:`ErrorKind` when it is one (kept as is otherwise)."""
    try:
        return ErrorKind(value)
    except ValueError:
        return value


def _dump_generations(generations: Sequence[Generation]) -> str:
    return dumps([g.to_json() for g in generations])
