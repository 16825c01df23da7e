"""Model-based checks of the scheduling rules (19.5.1.1-19.5.1.3) with hypothesis.

Each check runs small programs of call_soon / call_soon_threadsafe / call_later / call_at /
cancel / stop() (callbacks scheduling callbacks, several run_forever rounds) on the loop under
test and asks the rule model in ``_support.schedmodel`` whether the recorded trace is one the
documented rules allow.

The programs are fixed, so that the verdict is the same run after run: first the explicit
example plans below, each aimed at one rule (and at the broken loops in tests/broken/ that break
it), then a few generated programs from a fixed seed (more with
LOOPCONF_HYPOTHESIS_PROFILE=thorough). No example database, and no seed taken from the source
text. The model judges only what the rules decide whatever the timing. A failing generated
program is shrunk (within a time budget) and the smallest failing program is reported with its
trace.
"""

import time

from hypothesis import example, given, seed, settings

from loopconf import checks
from loopconf.evidence import expect

from ._support.schedmodel import GENERATED, SEED, Runner, model_settings, profile, programs, violations

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

    def search(self, strategy, plans):
        """Run the explicit ``plans``, then the generated programs (fixed seed)."""

        @settings(model_settings(), derandomize=False, max_examples=GENERATED[profile()])
        @given(strategy)
        def run(program):
            self.judge(program)

        for plan in reversed(plans):
            run = example(plan)(run)
        run = seed(SEED)(run)

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


# -- explicit example plans ----------------------------------------------------------------------
# A program is a tuple of rounds, a round a tuple of actions: ("soon", children),
# ("threadsafe", children), ("thread", (children, ...)) (a helper thread, one call_soon_threadsafe
# per children tuple), ("cancel", n) (the handle registered n-th, modulo their number),
# ("later", delay, children), ("at", delay, children), ("stop",). Children are the actions the
# callback performs when it runs.

SOON3 = (("soon", ()), ("soon", ()), ("soon", ()))

#: call_soon / call_soon_threadsafe / cancel (model.calls.trace).
CALL_PLANS = (
    # FIFO and exactly once, nested callbacks across two runs (a LIFO queue, a callback queued
    # twice, one run before call_soon returns).
    (
        (("soon", ()), ("soon", SOON3), ("soon", ()), ("threadsafe", (("soon", ()),))),
        (("soon", (("soon", ()), ("threadsafe", ()))), ("soon", ())),
    ),
    # Cancellation from outside and from a callback of the same batch (a detached handle).
    ((("soon", (("cancel", 3),)), ("soon", ()), ("cancel", 1), ("soon", ()), ("soon", ())),),
    # call_soon_threadsafe: per-thread FIFO from two helper threads and from the loop thread.
    (
        (
            ("thread", ((), (), ())),
            ("threadsafe", ()),
            ("thread", ((("threadsafe", ()),), ())),
            ("threadsafe", (("thread", ((), ())),)),
        ),
    ),
)

#: Timers mixed with calls (model.delayed.trace, and model.running.trace).
TIMER_PLANS = (
    # Deadline order whatever the registration order, zero delays, a ready callback
    # beside them (timers fired early with the first due one; a FIFO of timers).
    (
        (
            ("soon", ()),
            ("later", 0.007, ()),
            ("later", 0.002, ()),
            ("at", 0.004, ()),
            ("later", 0.0, ()),
            ("at", 0.0, ()),
            ("later", 0.001, ()),
        ),
    ),
    # Timers set and cancelled by timer callbacks, and timers left pending across runs.
    (
        (("later", 0.001, (("later", 0.002, ()), ("cancel", 2))), ("later", 0.004, ()), ("at", 0.007, ())),
        (("at", 0.007, (("later", 0.007, ()), ("soon", ()))), ("later", 0.001, (("at", 0.0, ()),))),
        (("soon", (("later", 0.002, ()),)), ("cancel", 6)),
    ),
)

#: stop() from every kind of place (model.running.trace).
STOP_PLANS = (
    # stop() from a timer callback, which then queues callbacks: they wait for the next run
    # (a loop that runs timer callbacks in a phase of their own runs them at once).
    ((("later", 0.001, (("stop",), ("soon", ()), ("threadsafe", ()))),),),
    # stop() from the first batch: the rest of that batch runs, what the stopper queues after
    # stop() waits for the next run (a stop that drops the batch, that comes a batch late, or
    # that loses the deferred callbacks).
    ((("soon", ()), ("soon", (("stop",), ("soon", ()), ("later", 0.0, ()))), ("soon", ()), ("threadsafe", ())),),
    # stop() before run_forever, and from a nested callback in a later run.
    (
        (("soon", ()), ("stop",), ("soon", (("soon", ()),)), ("later", 0.0, ())),
        (("soon", (("soon", (("stop",), ("soon", ()))),)), ("later", 0.002, ()), ("soon", ())),
    ),
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

    _Search(new_loop, 0.001).search(programs(timers=False, stops=False), CALL_PLANS)


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

    _Search(new_loop, 0.008).search(programs(timers=True, stops=False), CALL_PLANS + TIMER_PLANS)


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

    _Search(new_loop, 0.008).search(programs(timers=True, stops=True), STOP_PLANS + TIMER_PLANS)
