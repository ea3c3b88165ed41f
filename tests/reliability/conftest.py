"""Every reliability test runs under the secret guard (``tests/reliability/secret_guard.py``).

All loggers record at DEBUG during the test; at teardown no fake Horde API key, typed key,
Discord token, interaction token or generated encryption key may appear in the captured logs,
exception texts or the bodies the bot sent to the fake Discord.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.secret_guard import SecretGuard, guard_secrets, install_key_recorder

install_key_recorder()


@pytest.fixture(autouse=True)
def secret_guard(request: pytest.FixtureRequest) -> Iterator[SecretGuard]:
    yield from guard_secrets(request.node.funcargs, collect=True)
