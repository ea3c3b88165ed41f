"""A throwaway PostgreSQL server for the tests: ``initdb`` into a temporary directory, then
``postgres`` on 127.0.0.1 (a free port) with its unix socket in that directory, no fsync.

``initdb`` and ``postgres`` refuse to run as root. As root (CI), the server runs as ``nobody``
through ``setpriv``, in a directory handed over to that user; anyone else runs it as themselves.
The binaries are looked up on PATH, then in Debian's ``/usr/lib/postgresql/*/bin``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "horde"
START_ATTEMPTS = 3


class PostgresUnavailableError(Exception):
    """The server could not be set up; the message says why and what to install."""


def find_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    raise PostgresUnavailableError(
        f"the PostgreSQL server program {name!r} is not installed: install PostgreSQL 15+ "
        "(Debian/Ubuntu: apt-get install postgresql) or put its bin directory on PATH"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix (and owner) to run the server with: ``nobody`` when we are root."""
    if os.geteuid() != 0:
        return [], None, None
    nobody = pwd.getpwnam("nobody")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise PostgresUnavailableError("as root, setpriv (util-linux) is needed to drop to nobody")
    prefix = [
        setpriv,
        f"--reuid={nobody.pw_uid}",
        f"--regid={nobody.pw_gid}",
        "--clear-groups",
        "--",
    ]
    return prefix, nobody.pw_uid, nobody.pw_gid


@dataclass
class PostgresServer:
    root: Path
    port: int = 0
    _prefix: list[str] = field(default_factory=list)
    # Emptied databases a later test may take (see tests/postgres/fixtures.py).
    spare_databases: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    async def create_database(self, name: str) -> str:
        """Create an empty database ``name``; its URL."""
        import asyncpg  # here: the server itself needs no client library

        admin = await asyncpg.connect(self.url("postgres"))
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        finally:
            await admin.close()
        return self.url(name)

    @classmethod
    def start(cls) -> PostgresServer:
        initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
        prefix, uid, gid = _as_server_user()
        root = Path(tempfile.mkdtemp(prefix="horde-test-pg-"))
        if uid is not None and gid is not None:
            os.chown(root, uid, gid)
        server = cls(root, _prefix=prefix)
        server._run(
            initdb, "-D", str(server.data_dir), "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        last_error = ""
        for _ in range(START_ATTEMPTS):  # a free port can be taken before postgres binds it
            server.port = _free_port()
            options = (
                f"-h 127.0.0.1 -p {server.port} -k {root} -F "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            try:
                server._run(
                    pg_ctl, "-D", str(server.data_dir), "-l", str(root / "server.log"),
                    "-w", "-t", "30", "-o", options, "start",
                )  # fmt: skip
                return server
            except PostgresUnavailableError as error:
                last_error = str(error)
        server.remove()
        raise PostgresUnavailableError(last_error)

    def stop(self) -> None:
        try:
            self._run(find_binary("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "stop")
        finally:
            self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._prefix, *command],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            log_file = self.root / "server.log"
            server_log = log_file.read_text()[-2000:] if log_file.exists() else ""
            raise PostgresUnavailableError(
                f"{Path(command[0]).name} failed ({result.returncode}): "
                f"{result.stderr.strip()[-2000:]} {server_log}".strip()
            )
