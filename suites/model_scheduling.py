"""Model-based checks of the scheduling rules (19.5.1.1-19.5.1.3) with hypothesis.

Each check generates small programs of call_soon / call_soon_threadsafe / call_later / call_at /
cancel / stop() (callbacks scheduling callbacks, several run_forever rounds), runs them on the
loop under test and asks the rule model in ``_support.schedmodel`` whether the recorded trace is
one the documented rules allow. Deterministic (derandomized, no example database); the number of
examples follows LOOPCONF_HYPOTHESIS_PROFILE (default | thorough). A failing program is shrunk
(within a time budget) and the smallest failing program is reported with its trace.
"""

import time

from hypothesis import given

from loopconf import checks
from loopconf.evidence import expect

from ._support.schedmodel import Runner, model_settings, programs, violations

scope = checks.scope(area="model", section="19.5.1.2")


#: Seconds hypothesis may spend shrinking a failing program before the smallest one found so far
#: is reported (traces depend on timing, so a long shrink could outlast the per-check timeout).
SHRINK_BUDGET = 2.0


class _TraceRejected(Exception):
    """Raised inside hypothesis so that it shrinks the failing program."""


class _Search:
    """Runs generated programs; keeps every rejected trace so the smallest can be reported.

    A rejected trace is raised inside hypothesis, which then shrinks the program. Timing can make
    a failure not replay, and shrinking is bounded by SHRINK_BUDGET: either way the smallest
    failing program seen is the reproducer.
    """

    def __init__(self, new_loop, round_time):
        self.new_loop, self.round_time = new_loop, round_time
        self.failures = []
        self.first_failure_at = None

    def judge(self, program):
        if self.first_failure_at is not None and time.monotonic() - self.first_failure_at > SHRINK_BUDGET:
            return  # out of shrinking budget: let hypothesis finish with what it has
        loop = self.new_loop()
        runner = Runner(loop, self.round_time)
        try:
            runner.run(program)
            problems = violations(runner.trace)
        except Exception as exc:  # the loop under test raised while running the program
            problems = [f"unexpected {type(exc).__name__}: {exc}"]
        finally:
            loop.close()
        if problems:
            self.failures.append((program, runner.trace, problems))
            if self.first_failure_at is None:
                self.first_failure_at = time.monotonic()
            raise _TraceRejected(problems[0])

    def search(self, strategy):
        @model_settings()
        @given(strategy)
        def run(program):
            self.judge(program)

        try:
            run()
        except Exception:  # the shrunk failure, or hypothesis reporting a flaky replay
            if not self.failures:
                raise
        if self.failures:
            program, trace, problems = min(self.failures, key=lambda f: len(repr(f[0])))
            expect(
                False,
                "the loop's trace breaks the scheduling rules: " + "; ".join(problems[:5]),
                expected="a trace the documented rules allow",
                observed={"program (shrunk)": repr(program), "trace": repr(trace[:200])},
            )


@scope.check(
    "call_soon",
    "trace",
    topic="calls",
    requirement="For any program of call_soon / call_soon_threadsafe (from the loop thread and from "
    "other threads) / Handle.cancel, with callbacks scheduling callbacks over several "
    "runs: every callback runs exactly once unless cancelled first, a cancelled one "
    "never runs, and each queue is FIFO (call_soon; call_soon_threadsafe per "
    "registering thread).",
    covers=("call_soon.1", "call_soon.3", "call_soon.4", "call_soon.9"),
)
def test_model_calls(new_loop):

    _Search(new_loop, 0.001).search(programs(timers=False, stops=False))


@scope.check(
    "call_later",
    "trace",
    topic="delayed",
    section="19.5.1.3",
    note="timer-clock-resolution",
    requirement="For any program mixing call_later / call_at (delays negative, zero and small "
    "positive) with call_soon and cancellation: no timer runs before its deadline, "
    "timers with clearly distinct future deadlines run in deadline order, every "
    "callback runs exactly once unless cancelled first.",
    covers=("call_later.1", "call_later.4", "call_later.5", "call_later.7"),
)
def test_model_delayed(new_loop):

    _Search(new_loop, 0.008).search(programs(timers=True, stops=False))


@scope.check(
    "stop",
    "trace",
    topic="running",
    section="19.5.1.1",
    anchor="asyncio.AbstractEventLoop.run_forever",
    requirement="For any program that also calls stop() (before run_forever or from callbacks): "
    "callbacks scheduled after the stop() call, or by the callback that called it, do "
    "not run in that run_forever; when stop() comes from the first batch, every "
    "callback queued before the run began still runs in it; together with the call and "
    "timer rules above.",
    covers=("run_forever.1", "run_forever.4", "run_forever.5"),
)
def test_model_running(new_loop):

    _Search(new_loop, 0.008).search(programs(timers=True, stops=True))
