"""A bare discord.py client: the start-up baseline (``python -m bench.bare_client``).

Same intents and chunking as the bot; prints ``BARE-READY`` from ``on_ready``.
"""

from __future__ import annotations

import os

import discord


class BareClient(discord.Client):
    async def on_ready(self) -> None:
        print("BARE-READY", flush=True)


def main() -> None:
    client = BareClient(intents=discord.Intents.default(), chunk_guilds_at_startup=False)
    client.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()
