"""Deliberately broken loops: stock asyncio with exactly one guarantee broken each.

Adding one is one class in the module of its area, saying what loopconf must report on it::

    @breaks("calls.call_soon.fifo", keeps=["calls.call_soon.exactly_once"])
    class LifoCallSoonLoop(asyncio.SelectorEventLoop):
        \"\"\"call_soon runs callbacks in reverse registration order (breaks FIFO).\"\"\"

Checks are named by check ID or glob (a parametrized ID such as ``...path[bytes]`` is exact).
Every matching check must end ``fail`` (or ``outcome=``: "missing", "timeout", "crash"), failing
on its requirement rather than on an invariant; every check matching ``keeps`` must pass, which
shows the check is specific. ``python=">=3.12"`` / ``platforms=["linux"]`` gate a declaration;
stack several ``@breaks`` when only part of the breakage is version-gated.

tests/test_broken_loops.py finds every declared class (run as ``module:Class``), checks it,
and checks that stock asyncio passes the same checks; an undeclared public loop class fails it.
hostile.py (runner and CLI tests) and adversarial.py (tests/test_adversarial.py) are exempt.
"""

from tests.broken._registry import breaks

__all__ = ["breaks"]
