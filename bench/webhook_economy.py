"""§1b Horde requests and added delay in webhook mode, on the same virtual clock as §1.

The whole bot runs with ``HORDE_WEBHOOK_URL``/``HORDE_WEBHOOK_LISTEN`` on its own listener;
the fake Horde calls it when the generation finishes (or drops the call, in one profile). The
adaptive poller's figures of §1 (same profiles, same run) are the baseline for the delay.
"""

from __future__ import annotations

import socket
import statistics

from bench.economy import FLOOR, OURS, PHASE_STEP, PROFILES, run_ours
from bench.pollers import Profile, TrialResult
from bench.report import Row

__all__ = ["run_webhook_rows"]

SAFETY_NET = 60.0  # HORDE_WEBHOOK_POLL_SECONDS' default
# The driver waits this long without activity before moving virtual time: the webhook call's
# hop back into the bot (listener → poller → status read) must not be jumped over.
QUIET = 0.05
DROPPED = PROFILES[1]  # the profile where some calls are dropped
DROP_TRIALS = (1, 3)  # of 5 (or the first of 1): 2 in 5 calls dropped


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def webhook_env(safety_net: float = SAFETY_NET) -> dict[str, str]:
    port = _free_port()
    return {
        "HORDE_WEBHOOK_URL": f"http://127.0.0.1:{port}/horde-hooks",
        "HORDE_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "HORDE_WEBHOOK_POLL_SECONDS": f"{safety_net:g}",
    }


async def _trials(
    profile: Profile, count: int, *, drop: bool = False, safety_net: float = SAFETY_NET
) -> list[TrialResult]:
    results = []
    for k in range(count):
        results.append(
            await run_ours(
                profile,
                profile.processing + k * PHASE_STEP,
                env=webhook_env(safety_net),
                drop_webhook=drop and k in DROP_TRIALS,
                quiet=QUIET,
            )
        )
    return results


def _requests(results: list[TrialResult]) -> float:
    return statistics.fmean(r.requests for r in results)


async def run_webhook_rows(
    quick: bool, adaptive: dict[str, list[TrialResult]]
) -> tuple[list[Row], list[str]]:
    """Rows of §1b; ``adaptive`` holds §1's trials of the adaptive poller by profile name."""
    count = 1 if quick else 5
    long = PROFILES[-1]
    whole = long.queue + long.processing
    wide = await _trials(long, 1, safety_net=whole)
    why = (
        f"the safety net reads at most {SAFETY_NET:g} s apart (PRODUCT.md), so a {whole:g} s "
        f"job costs the submit, about {whole / SAFETY_NET:.0f} safety reads and the "
        f"confirming one. Measured in the same run: with HORDE_WEBHOOK_POLL_SECONDS = "
        f"{whole:g} the {long.name} profile takes {_requests(wide):.1f} requests "
        f"({_requests(wide) / FLOOR:.1f}x the floor), which meets it, at the price of no "
        "queue-position update for ten minutes and a ten-minute wait for a dropped call."
    )
    rows: list[Row] = []
    for profile in PROFILES:
        ours = await _trials(profile, count)
        rows.append(_request_row(profile.name, ours, adaptive[profile.name], why))
        rows.append(_delay_row(profile.name, ours, adaptive[profile.name]))
    dropped = await _trials(DROPPED, count, drop=True)
    lost = sum(1 for k in range(count) if k in DROP_TRIALS)
    label = f"{DROPPED.name}, {lost} of {count} calls dropped"
    rows.append(_request_row(label, dropped, adaptive[DROPPED.name], why))
    worst = max(r.added_delay for r in dropped)
    notes = [
        f"§1b: webhook mode (HORDE_WEBHOOK_POLL_SECONDS = {SAFETY_NET:g}), {count} trial(s) "
        f"per profile as in §1; a dropped call costs up to the safety net in delay (worst "
        f"here: {worst:.1f} s). The driver waits {QUIET * 1000:.0f} ms of quiet (§1: 6 ms) so "
        "virtual time never jumps over the call's hop into the bot."
    ]
    return rows, notes


def _delay_row(name: str, ours: list[TrialResult], adaptive: list[TrialResult]) -> Row:
    delay = statistics.median(r.added_delay for r in ours)
    base = statistics.median(r.added_delay for r in adaptive)
    return Row(
        "1b",
        f"median added delay Horde-done → final edit in webhook mode, {name}",
        f"webhook {delay:.2f} s (virtual)",
        f"adaptive poller: {base:.2f} s",
        delay / base if base else None,
        "≤ adaptive poller's",
        delay <= base + 1e-9,
        "the call is confirmed by one status read at once; the rest is the edit pacing.",
    )


def _request_row(name: str, ours: list[TrialResult], adaptive: list[TrialResult], why: str) -> Row:
    req = _requests(ours)
    base = _requests(adaptive)
    return Row(
        "1b",
        f"Horde requests per generation in webhook mode, {name}",
        f"webhook {req:.1f} ({req / FLOOR:.1f}x the floor of 2)",
        f"floor: 2; adaptive poller ({OURS}): {base:.1f}",
        req / FLOOR,
        "≤ 1.5x the floor",
        req / FLOOR <= 1.5,
        why,
    )
