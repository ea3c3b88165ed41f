"""A fake Discord (REST + gateway websocket on 127.0.0.1) that the REAL discord.py client talks to.

The bot's command tree, option parsing, views, modals and multipart uploads all run for real; only
Discord's servers are replaced. Typical test::

    from tests.fakes.discord import FakeDiscord, running_bot, fast_bot_options

    async def test_generate(discord_fake):            # fixture: started + patched
        guild = discord_fake.add_guild("Test Guild")  # owner has every permission
        channel = discord_fake.add_channel(guild, "general", nsfw=False)
        alice = discord_fake.add_member(guild, "alice", permissions=0)
        bot = make_bot(**fast_bot_options())          # guild_ready_timeout small, no chunking
        async with running_bot(bot, discord_fake):
            ia = await discord_fake.send_slash("generate", {"prompt": "hi"}, user=alice,
                                               channel=channel)
            assert await ia.wait_for_response() == 5          # deferred
            msg = await ia.wait_for_original(lambda m: "done" in m.text())
            ia2 = await discord_fake.click(msg, label="Cancel", user=alice)
        assert discord_fake.unhandled == []

``FakeDiscord`` (server.py; state in state.py, user input in actions.py):
  start()/stop(); base_url, rest_url, gateway_url; patch_discord() context manager.
  add_guild(name) -> FakeGuild; add_channel(guild, name, nsfw=, writable=) -> FakeChannel;
  add_member(guild, name, permissions=) -> FakeUser; add_user(name); dm_channel(user);
  add_thread(parent, name).  FakeUser.dms_open=False makes DMs fail (403, code 50007).
  send_slash(command, options, user=, channel=None→DM) -> FakeInteraction ("kudos transfer" for
    subcommands; FakeUser/FakeChannel values get ``resolved``; option types from the synced or
    registered tree, unknown/missing options raise ValueError);
  autocomplete(command, options, focused=, user=, channel=) -> choices;
  click(msg, label= | custom_id=, user=, values=) -> FakeInteraction;
  submit_modal(interaction_or_modal_custom_id, {input_custom_id: value}, user=) -> FakeInteraction;
  user_message(channel, content, user=, reply_to=) -> FakeMessage (MESSAGE_CREATE).
  messages_in(channel), dms_with(user), messages (by id), channels, interactions;
  wait_for(predicate, timeout), wait_for_message(channel, predicate, timeout).
  calls (RecordedCall: method, path without /api/v10, json, files, time, status, query),
  calls_to(method, path_contains), unhandled (must stay []), synced_commands
  ({"global": [...], guild_id: [...]}), sync_count.
  clock (OffsetClock: clock.advance(s) ages interaction tokens: after 15 min webhook calls get
    401 code 50027; callbacks after 3 s get 404 code 10062 — webhooks.ack_deadline=None disables).
  fail_next(method, path_contains, status=503, body=, times=1); rate_limits.enable(limit, per,
    match=None) / disable() / hits (429s with retry_after, Retry-After, X-RateLimit-*, Via).
  disconnect_gateway(resume=True|False); gateway.identify_count / resume_count / received.
``FakeInteraction`` (interactions.py): id, token, type, user, channel, data, payload,
  response_type, response, ephemeral, modal, choices; await wait_for_response();
  original(); await wait_for_original(predicate); followups(); await wait_for_followup(pred).
``FakeMessage`` (models.py): id, channel_id, author_id, content, embeds, components, attachments
  (FakeAttachment: filename, data), flags, ephemeral, loading, allowed_mentions,
  message_reference, deleted, edits, history (a snapshot per version); buttons(), text().
Discord behaviours emulated: 2000-char content, embed limits (4096/256/25/6000/10), 5 action rows
  → 400 code 50035; empty message → 50006; second ack → 40060; the first followup after a
  deferral replaces the "thinking…" message; bot messages are echoed as MESSAGE_CREATE.
``running_bot(bot, fake, token=None)`` (harness.py) starts ``bot.start`` in a task, waits for
  IDENTIFY and ready, raises what killed ``start`` (e.g. ``discord.LoginFailure``), closes the bot;
  it also skips discord.py's 5 s sleep before a re-IDENTIFY. ``fast_bot_options()`` gives
  ``intents``/``chunk_guilds_at_startup``/``guild_ready_timeout`` for a start in ~60 ms.
  ``fake.clock`` satisfies ``bot.clock.Clock``: inject it into the bot so both agree on time.
Subprocess tests: put ``tests/fakes/subprocess_site`` first on PYTHONPATH and set
  ``FAKE_DISCORD_URL=fake.base_url``.
"""

from tests.fakes.discord.harness import fast_bot_options, running_bot
from tests.fakes.discord.interactions import FakeInteraction
from tests.fakes.discord.models import (
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    FakeUser,
    OffsetClock,
    RecordedCall,
)
from tests.fakes.discord.server import FakeDiscord
from tests.fakes.discord.state import ApiError

__all__ = [
    "ApiError",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMessage",
    "FakeUser",
    "OffsetClock",
    "RecordedCall",
    "fast_bot_options",
    "running_bot",
]
