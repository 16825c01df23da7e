"""Scheduling latency of the machine running the checks, and the late-side limits scaled by it.

Timing judgements in the suites are one-sided (see the README, "Timing"): a timer or a wake-up may
come late, never early. "Early" is judged strictly and never scaled. "Late" limits (a wake-up
that must come "promptly", a run that must return "at once") are written for a quiet machine and
scaled here by how late *this* worker's own sleeps come back, so a loaded CI runner does not turn
a slow wake-up into a failure, while a loop that never wakes up still fails.

The latency is measured once per worker process, the first time a check asks for it (the
measurement takes about 20 ms), from the worker's own oversleep on short ``time.sleep`` calls:
the same scheduler delay that makes a conforming loop's wake-up late. ``LOOPCONF_LATENCY``
(seconds) overrides the measurement, e.g. to reproduce a verdict from another machine.
"""

from __future__ import annotations

import functools
import os
import time

#: Oversleep of a 1 ms sleep on a quiet machine; below this nothing is scaled.
QUIET_LATENCY = 0.002
#: A limit is never scaled by more than this factor: a loop that never wakes up still fails fast.
MAX_SCALE = 10.0
SAMPLES = 15


@functools.cache
def latency() -> float:
    """Worst-but-one oversleep of a 1 ms ``time.sleep`` in this process, in seconds."""
    override = os.environ.get("LOOPCONF_LATENCY")
    if override:
        return float(override)
    late = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        time.sleep(0.001)
        late.append(time.perf_counter() - start - 0.001)
    late.sort()
    return max(late[-2], 0.0)


def scale() -> float:
    """Factor applied to late-side limits: 1 on a quiet machine, up to MAX_SCALE under load."""
    return min(MAX_SCALE, max(1.0, latency() / QUIET_LATENCY))


def late(limit: float) -> float:
    """A late-side limit of ``limit`` seconds (quiet machine), scaled for this worker's load."""
    return limit * scale()
