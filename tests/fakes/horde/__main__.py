"""Run the fake Horde standalone, for trying the bot by hand.

python -m tests.fakes.horde --port 7001 --workers 2 --seconds-per-job 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from tests.fakes.horde.server import FakeHorde

DEMO_KEY = "demo-key-0123456789"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.horde", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7001)
    parser.add_argument("--workers", type=int, default=2, help="scripted workers to start")
    parser.add_argument("--seconds-per-job", type=float, default=5.0)
    parser.add_argument("--model", default="koboldcpp/test-model")
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--max-context-length", type=int, default=4096)
    parser.add_argument("--kudos", type=float, default=10000.0, help="the demo user's kudos")
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="turn the per-IP rate limits off"
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> FakeHorde:
    """A FakeHorde with a demo user, a moderator and ``--workers`` scripted workers."""
    horde = FakeHorde()
    horde.rate_limits = not args.no_rate_limits
    demo = horde.add_user("demo", apikey=DEMO_KEY, kudos=args.kudos)
    horde.add_user("moderator", apikey="moderator-key-0123456789", moderator=True)
    for index in range(1, args.workers + 1):
        horde.add_worker(
            f"fake-worker-{index}",
            models=[args.model],
            max_length=args.max_length,
            max_context_length=args.max_context_length,
            seconds_per_job=args.seconds_per_job,
            owner=demo,
        )
    horde.add_news("Welcome", "This is the fake AI Horde used by the bot's tests.")
    return horde


async def serve(args: argparse.Namespace) -> None:
    horde = build(args)
    base_url = await horde.start(args.host, args.port)
    print(f"Fake AI Horde at {base_url}", flush=True)
    print(f"demo user demo#1, apikey {DEMO_KEY}; moderator key moderator-key-0123456789")
    print("Ctrl-C to stop.", flush=True)
    try:
        while True:
            await asyncio.sleep(1.0)
            horde.evaluate()  # keep the queue moving even when nobody polls
    finally:
        await horde.close()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
