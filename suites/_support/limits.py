"""The bounds on waiting in the suites' helpers, and the one slack on the early side.

TIMEOUT bounds every blocking step a helper takes (a peer thread's socket operation, a
``net.run`` of one loop call, a bounded loop run): a broken loop fails the check within it
instead of hitting the runner's per-check timeout. A conforming loop needs a tiny fraction.

CLOCK_SLACK is the only tolerance on the early side of a timing judgement ("not before its
deadline", "waited at least the timeout"). It absorbs float rounding of two clock readings and a
loop that treats deadlines within one tick of its clock as due (stock asyncio looks ahead by the
clock resolution); it is far below any real early firing. Lateness is never judged against it.

DEFAULT_PROBE is how long the TLS *_default checks wait to show that a default (None)
ssl_handshake_timeout / ssl_shutdown_timeout has not ended a stalled handshake or an unanswered
close_notify (spec note tls-default-timeouts-lower-bound).
"""

TIMEOUT = 3.0
CLOCK_SLACK = 1e-6

#: The documented defaults are 60 s (handshake) and 30 s (shutdown); waiting for them is out of a
#: check's budget, so these checks are one-sided. What a 0.25 s probe CAN catch: None treated as 0
#: (immediate abort), a unit error (60 s / 30 s read as milliseconds: 0.06 s / 0.03 s), any tiny
#: hard-coded default below the probe. What it CANNOT catch: a wrong default above the probe
#: (1 s, 10 s, 120 s, or no limit at all). A busy machine only makes the probe end later, i.e. it
#: gives a conforming loop more time, never less: no false positive comes from load.
DEFAULT_PROBE = 0.25


def waited_at_least(elapsed: float, bound: float) -> bool:
    """``elapsed`` (loop-clock seconds) is not shorter than ``bound``, up to clock rounding."""
    return elapsed >= bound - CLOCK_SLACK
