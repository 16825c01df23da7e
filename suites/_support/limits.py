"""The bounds on waiting in the suites' helpers, and the one slack on the early side.

TIMEOUT bounds every blocking step a helper takes (a peer thread's socket operation, a
``net.run`` of one loop call, a bounded loop run): a broken loop fails the check within it
instead of hitting the runner's per-check timeout. A conforming loop needs a tiny fraction.

CLOCK_SLACK is the only tolerance on the early side of a timing judgement ("not before its
deadline", "waited at least the timeout"). It absorbs float rounding of two clock readings and a
loop that treats deadlines within one tick of its clock as due (stock asyncio looks ahead by the
clock resolution); it is far below any real early firing. Lateness is never judged against it.
"""

TIMEOUT = 3.0
CLOCK_SLACK = 1e-6


def waited_at_least(elapsed: float, bound: float) -> bool:
    """``elapsed`` (loop-clock seconds) is not shorter than ``bound``, up to clock rounding."""
    return elapsed >= bound - CLOCK_SLACK
