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

``FakeDiscord`` (server.py; state in state.py, user input in actions.py and reach_actions.py):
  start()/stop(); base_url, rest_url, gateway_url; patch_discord() context manager.
  add_guild(name, shard=None) -> FakeGuild; add_channel(guild, name, nsfw=, writable=)
  -> FakeChannel; add_member(guild, name, permissions=) -> FakeUser; add_user(name);
  dm_channel(user); add_thread(parent, name).
  FakeUser.dms_open=False makes DMs fail (403, code 50007).
  send_slash(command, options, user=, channel=None→DM, install=None, check_context=False)
    -> FakeInteraction ("kudos transfer" for subcommands; FakeUser/FakeChannel values get
    ``resolved``; option types from the synced or registered tree, unknown/missing options raise
    ValueError; check_context=True also raises when Discord would not offer the command there);
  autocomplete(command, options, focused=, user=, channel=) -> choices;
  click(msg, label= | custom_id=, user=, values=) -> FakeInteraction;
  submit_modal(interaction_or_modal_custom_id, {input_custom_id: value}, user=) -> FakeInteraction;
  user_message(channel, content, user=, reply_to=, attachments={name: bytes|str}) -> FakeMessage
    (MESSAGE_CREATE where the bot can see it; attachments served on 127.0.0.1 at their url).
  messages_in(channel), dms_with(user), messages (by id), channels, interactions;
  wait_for(predicate, timeout), wait_for_message(channel, predicate, timeout).
  calls (RecordedCall: method, path without /api/v10, json, files, time, status, query),
  calls_to(method, path_contains), unhandled (must stay []), synced_commands
  ({"global": [...], guild_id: [...]}), sync_count.
  clock (OffsetClock: clock.advance(s) ages interaction tokens: after 15 min webhook calls get
    401 code 50027; callbacks after 3 s get 404 code 10062 — webhooks.ack_deadline=None disables).
  fail_next(method, path_contains, status=503, body=, times=1); rate_limits.enable(limit, per,
    match=None) / disable() / hits (429s with retry_after, Retry-After, X-RateLimit-*, Via).
  disconnect_gateway(resume=True|False, shard=0); gateway.identify_count / resume_count / received.
Reach (reach_actions.py, reach.py — user installs, contexts, message menus):
  add_foreign_guild(name, external_apps=True) -> FakeGuild the bot is NOT in (add_channel /
    add_member work on it; no gateway events; the bot's REST calls there get 403 code 50001);
  add_group_dm(owner, *others, name=) / add_private_dm(user, other) -> FakeChannel (context 2).
  send_slash(channel=<any of those>) fires from there: ``context`` 0 / 1 (bot DM) / 2 and
    ``authorizing_integration_owners`` {"0": guild_id} (guild install; "0" in the bot's DM) or
    {"1": user_id} (user install); install="guild"|"user"|"both" overrides the default.
  send_message_command(name, target_message, user=, install=None, check_context=True)
    -> FakeInteraction (type 2 interaction, data.type 3, target_id, resolved.messages).
  commands_offered(context, install="both", guild=None, kind=1) -> names of synced commands a
    member's client lists there; synced_command(name, kind=1, guild=None) -> stored dict.
  bot_dms(user) -> messages the bot sent to its DM with ``user`` (not interaction replies);
    dm_attempts(user) -> RecordedCalls of those sends (status 403 = refused, code 50007 when
    ``user.dms_open = False``). Out of reach: at most 5 follow-ups (400 code 40094); a foreign
    guild with external_apps=False makes every response ephemeral. FakeInteraction.reach holds
    context, owners, install, app_permissions.
Shards (gateway.py, gateway_session.py): FakeDiscord(shard_count=N) or gateway.shard_count = N
  (what GET /gateway/bot recommends); gateway.max_concurrency; one Session per shard in
  gateway.sessions (session.events lists what it got); a guild's events and interactions go only
  to shard (guild_id >> 22) % count, DMs and servers without the bot to shard 0;
  FakeInteraction.shard_id; gateway.identified_shards / identifies (with fake-clock times);
  gateway.enforce_identify_rate (opt-in op 9 when a bucket identifies twice within 5 s);
  IDENTIFY outside the count closes 4010, more than gateway.max_guilds_per_shard guilds 4011.
``FakeInteraction`` (interactions.py): id, token, type, user, channel, data, payload,
  response_type, response, ephemeral, modal, choices; await wait_for_response();
  original(); await wait_for_original(predicate); followups(); await wait_for_followup(pred).
``FakeMessage`` (models.py): id, channel_id, author_id, content, embeds, components, attachments
  (FakeAttachment: filename, data), flags, ephemeral, loading, allowed_mentions,
  message_reference, deleted, edits, history (a snapshot per version); buttons(), text().
  A message answering an interaction is sent to the bot with ``interaction_metadata`` and the
  older ``interaction`` (its ``name`` is the command's, subcommands included: "workers list").
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
