"""A fake AI Horde v2 text API on 127.0.0.1 for tests: real HTTP, simulated queue and workers.

``FakeHorde`` answers with the shapes and semantics of /work/shared/horde-api.md (base ``/api``).
Everything runs on an ``OffsetClock`` (real time + offset, a ``bot.clock.Clock``): tests jump it
forward with ``horde.clock.advance(s)`` for expiry, TTLs, rate windows and scripted job times;
the simulation catches up lazily on every HTTP request (or ``horde.evaluate()``).

    horde = FakeHorde()                    # or the ``fake_horde`` fixture (started, closed after)
    base_url = await horde.start()         # "http://127.0.0.1:PORT/api"
    alice = horde.add_user("alice", apikey="alice-key-0123456789", kudos=1000.0)
    horde.add_worker("w1", seconds_per_job=0.2, text=None | "fixed" | fn(prompt, params))
    horde.add_worker("bad", fail=True)     # its jobs fault; a request faults after 3
    horde.maintenance = True; horde.upfront_kudos_threshold = 512; horde.rate_limits = False
    horde.inject_fault("GET", "/v2/generate/text/status", kind="502", count=1)
    horde.requests / horde.requests_to(path, method) / horde.submit_times / horde.get_request(id)
    horde.add_user("root", admin=True, moderator=True, customizer=True)   # roles the rules check
    horde.records.add_style(...) / add_collection / add_shared_key / add_filter; .messages

Management routes (workers, users, modes, teams, awards, shared keys, styles, collections,
filters, worker messages, worker-IP blocks, documents) apply the live server's permission
rules: owner vs moderator vs admin, trusted/customizer for styles and teams, 3 shared keys
per untrusted user, 423 Locked for a worker busy in the last 20 minutes, the 60 s cache of
worker-message POSTs. Bodies are validated against the vendored swagger (tests/data).

Webhooks (tests/fakes/horde/webhooks.py): a text request's ``webhook`` (https only; the fake also
takes http://127.0.0.1) gets one POST per successful generation when its job finishes on the
fake clock (3 immediate tries, 3 s timeout; nothing on fault, cancel or expiry). Every call is
in ``horde.webhooks.calls``; ``horde.webhooks.drop_every = n`` drops every n-th (1: all).

Queue semantics: FIFO; ``queue_position`` is 1 + waiting jobs of older requests (0 once all of
a request's jobs started); ``is_possible`` counts paused workers as able to serve.
"""

from tests.fakes.horde.clock import OffsetClock
from tests.fakes.horde.models import Fault, Job, RecordedRequest, Team, TextRequest, User, Worker
from tests.fakes.horde.server import FakeHorde

__all__ = [
    "FakeHorde",
    "Fault",
    "Job",
    "OffsetClock",
    "RecordedRequest",
    "Team",
    "TextRequest",
    "User",
    "Worker",
]
