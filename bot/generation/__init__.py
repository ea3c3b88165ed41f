"""The Discord-free generation engine: submit governor, shared poller, job lifecycle, resume.

It never imports discord. The Discord layer builds a :class:`GenerationRequest`, hands it to
:meth:`GenerationService.submit` with a :class:`JobListener`, and renders the
:class:`JobSnapshot` objects the listener receives.

Wiring (once per bot, per Horde base URL)::

    governor = SubmitGovernor(clock, per_second=2, per_minute=90)
    poller = Poller(client, clock, poll_min=2, poll_max=15)
    service = GenerationService(client, governor, poller, JobRepository(db, vault), clock,
                                max_in_flight_per_user=3, retention_days=7)
    await service.start()                 # also purges old rows, then daily
    await service.resume(listener_factory, choose_key)  # bot.policy   # after start, before serving
    ...
    await service.close()                 # graceful: everything unfinished stays resumable

Submitting (the interaction was deferred first)::

    job_id = await service.submit(GenerationRequest(prompt=..., user_id=payer, params={...},
                                  models=(...), trusted_workers=..., guild_id=...,
                                  reply=ReplyAddress(channel_id=..., application_id=...,
                                  interaction_token=..., private=..., issued_at=...),
                                  context={...}),
                                  apikey=key, listener=my_listener, max_in_flight=guild_limit)

``submit`` returns at once (the job runs in the background) or raises
:class:`TooManyInFlight` (``.limit``) / :class:`ServiceClosed`; both are
:class:`bot.errors.UserFacingError`, so the command tree can show their message.

The listener: ``async def on_update(self, snapshot: JobSnapshot) -> None``. It is called,
one call at a time per job and never from the poller's own task, whenever something a user
sees changes: ``phase`` (queued_in_bot → submitting → queued_on_horde → processing → done /
cancelled / faulted / expired / failed; waiting_for_horde while the Horde cannot be
reached), ``bot_position`` (place in the bot's queue), ``queue_position``, ``is_possible``
(False: no worker can serve it — warn), ``kudos``, the number of finished generations, or
an ETA move beyond a small slack (render ``eta`` and ``created_at`` as ``<t:…:R>``, they
tick without edits). Intermediate snapshots collapse
when the listener is slow; it should still coalesce edits itself (≤ 1 per ~1.5 s). The
terminal snapshot (``snapshot.terminal``) is always delivered: return normally once the user
has the result (edited reply, or the fallback channel message / DM) — the job is then marked
delivered and its interaction token erased; raise to have it delivered again at the next
``resume``. ``snapshot.error`` (:class:`ErrorInfo`: ``kind`` an :class:`ErrorKind`, ``rc``,
``message``) says why a job failed; ``generations`` holds every text (partial after cancel).

After a restart, ``resume(listener_factory, apikey_for)`` calls ``listener_factory(record)``
with each stored :class:`JobRecord` (its ``reply``, a :class:`ReplyAddress`: channel,
application id, decrypted interaction token — None if unreadable —, message id, private,
token issue time; and the kind's own ``context``) to get the listener that completes that
same reply; pending jobs are submitted again with
``await apikey_for(record.user_id, record.guild_id)`` (a :class:`PaidKey`: the key and whose
it is), submitted ones are polled again, and terminal but undelivered ones are delivered again.

Other calls: ``cancel(job_id) -> bool`` (the Cancel button; False if it had already ended,
:class:`JobNotFound` if unknown), ``cancel_user(guild_id, user_id) -> int`` (moderators;
``guild_id=None`` means everywhere), ``snapshot(job_id)``, ``in_flight`` / ``queued_in_bot``
(``/mod status``), ``get(job_id)`` for Regenerate / Continue and the buttons (prompt, params,
models, options, generations; ``record.to_request()`` rebuilds the request — replace
``user_id`` with the presser, who pays), ``count_in_flight(user_id)`` and
``set_message_id`` once the reply exists. The job repository
(:mod:`bot.generation.repository`) is the engine's own: nothing outside it writes jobs.

A ``SIGKILL`` while a submit is on the wire can submit that job twice after the restart (the
Horde's id was never stored); a graceful ``close()`` waits for such submits.
"""

from bot.generation.errors import (
    ErrorKind,
    GenerationError,
    JobNotFound,
    ResultUndeliverable,
    ServiceClosed,
    TooManyInFlight,
)
from bot.generation.governor import SubmitGovernor, Ticket
from bot.generation.poller import Poller
from bot.generation.service import ApiKeyResolver, GenerationService, ListenerFactory
from bot.generation.state import (
    ErrorInfo,
    Generation,
    GenerationRequest,
    HordeStatus,
    JobKind,
    JobListener,
    JobPhase,
    JobRecord,
    JobSnapshot,
    JobState,
    PaidKey,
    Payer,
    ReplyAddress,
)

__all__ = [
    "ApiKeyResolver",
    "ErrorInfo",
    "ErrorKind",
    "Generation",
    "GenerationError",
    "GenerationRequest",
    "GenerationService",
    "HordeStatus",
    "JobKind",
    "JobListener",
    "JobNotFound",
    "JobPhase",
    "JobRecord",
    "JobSnapshot",
    "JobState",
    "ListenerFactory",
    "PaidKey",
    "Payer",
    "Poller",
    "ReplyAddress",
    "ResultUndeliverable",
    "ServiceClosed",
    "SubmitGovernor",
    "Ticket",
    "TooManyInFlight",
]
