"""A fake Horde in its own process, so its CPU never counts against the client being measured.

``python -m bench.hordeproc --workers N --seconds-per-job S [--paused] [--rate-limits]`` prints
``URL <base>`` and serves until stdin closes; the line ``release`` on stdin unpauses every
worker, the line ``stats`` prints one JSON line (submit arrival times, accepted submits). The
bench side uses :class:`HordeProcess`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.fakes.horde import FakeHorde

__all__ = ["BENCH_KEY", "MODEL", "HordeProcess", "child_environ"]

ROOT = Path(__file__).resolve().parents[1]


def child_environ() -> dict[str, str]:
    """This environment, with the project root importable (``-m bench.…`` from anywhere)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


BENCH_KEY = "bench-key-0123456789"
MODEL = "koboldcpp/test-model"


class HordeProcess:
    """Start/stop the child and send it commands."""

    def __init__(
        self,
        workers: int = 1,
        seconds_per_job: float = 1.0,
        paused: bool = False,
        rate_limits: bool = False,
    ):
        self.args = ["--workers", str(workers), "--seconds-per-job", str(seconds_per_job)]
        if paused:
            self.args.append("--paused")
        if rate_limits:
            self.args.append("--rate-limits")  # the Horde's per-IP limits, 429 above them
        self.proc: asyncio.subprocess.Process | None = None
        self.base_url = ""

    async def __aenter__(self) -> HordeProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.hordeproc",
            *self.args,
            env=child_environ(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 30)).decode().strip()
        if not line.startswith("URL "):
            raise RuntimeError(f"the fake Horde child did not start: {line!r}")
        self.base_url = line[4:]
        return self

    async def release(self) -> None:
        """Unpause every worker."""
        assert self.proc is not None
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"release\n")
        await self.proc.stdin.drain()

    async def stats(self) -> dict[str, Any]:
        """``submit_times`` (arrival of every submit, refused ones too) and ``accepted``."""
        assert self.proc is not None
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(b"stats\n")
        await self.proc.stdin.drain()
        stats: dict[str, Any] = json.loads(await asyncio.wait_for(self.proc.stdout.readline(), 30))
        return stats

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 5)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def _serve(args: argparse.Namespace) -> None:
    horde = FakeHorde()
    horde.rate_limits = args.rate_limits
    user = horde.add_user("bench", apikey=BENCH_KEY, kudos=1e12, concurrency=10**7)
    workers = [
        horde.add_worker(f"w{i}", models=[MODEL], seconds_per_job=args.seconds_per_job, owner=user)
        for i in range(args.workers)
    ]
    for worker in workers:
        worker.paused = args.paused
    print(f"URL {await horde.start()}", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    ticker = asyncio.create_task(_tick(horde))
    try:
        while line := await reader.readline():
            if line.strip() == b"release":
                for worker in workers:
                    worker.paused = False
            elif line.strip() == b"stats":
                stats = {"submit_times": horde.submit_times, "accepted": len(horde.text_requests)}
                print(json.dumps(stats), flush=True)
    finally:
        ticker.cancel()
        await horde.close()


async def _tick(horde: FakeHorde) -> None:
    while True:  # keep the queue moving between requests
        await asyncio.sleep(0.5)
        horde.evaluate()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hordeproc")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds-per-job", type=float, default=1.0)
    parser.add_argument("--paused", action="store_true")
    parser.add_argument("--rate-limits", action="store_true")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
