"""Run ``python -m bot`` as a child process pointed at the fakes (start-up, signals, crashes).

The child reaches the fake Discord through ``tests/fakes/subprocess_site/sitecustomize.py``
(enabled by ``FAKE_DISCORD_URL``), never through a product setting.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "tests" / "fakes" / "subprocess_site"


def child_env(extra: Mapping[str, str], *, fake_discord_url: str | None = None) -> dict[str, str]:
    """A clean environment for the child: only what the test sets, plus the basics."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    env["PYTHONPATH"] = os.pathsep.join([str(SITE), str(ROOT)])
    env["PYTHONUNBUFFERED"] = "1"
    if fake_discord_url is not None:
        env["FAKE_DISCORD_URL"] = fake_discord_url
    env.update(extra)
    return env


def bot_env(tmp_path: Path, horde_url: str, **extra: str) -> dict[str, str]:
    """Settings for a child bot using ``tmp_path`` as its data folder."""
    return {
        "DISCORD_TOKEN": "fake-discord-token",
        "HORDE_API_URL": horde_url,
        "DATA_DIR": str(tmp_path),
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOG_LEVEL": "INFO",
        **extra,
    }


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (until the test starts something there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """A ``python -m bot`` child whose stderr is collected line by line."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()

    async def start(self) -> BotProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=self.cwd,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._new_line.set()

    async def wait_for_line(self, needle: str, timeout: float = 20.0) -> str:
        """The first output line containing ``needle``."""

        async def scan() -> str:
            while True:
                for line in self.lines:
                    if needle in line:
                        return line
                if self.proc is not None and self.proc.returncode is not None:
                    raise AssertionError(f"bot exited before {needle!r}: {self.output}")
                self._new_line.clear()
                await self._new_line.wait()

        return await asyncio.wait_for(scan(), timeout)

    async def wait(self, timeout: float = 20.0) -> int:
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        if self._reader is not None:
            await self._reader
        return code

    def send_signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            await self._reader

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@contextlib.asynccontextmanager
async def running_child(
    fake_discord_url: str, horde_url: str, data_dir: Path, **env: str
) -> AsyncIterator[BotProcess]:
    """A ``python -m bot`` child on ``data_dir``, logged in to the fakes; killed on exit."""
    settings = bot_env(data_dir, horde_url, POLL_MIN_SECONDS="0.05", POLL_MAX_SECONDS="0.5")
    proc = await BotProcess(
        child_env({**settings, **env}, fake_discord_url=fake_discord_url), data_dir
    ).start()
    try:
        await proc.wait_for_line("Logged in as")
        yield proc
    finally:
        await proc.kill()
