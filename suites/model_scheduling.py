"""Model-based checks of the scheduling rules (19.5.1.1-19.5.1.3) with hypothesis.

Each check generates small programs of call_soon / call_soon_threadsafe / call_later / call_at /
cancel / stop() (callbacks scheduling callbacks, several run_forever rounds), runs them on the
loop under test and asks the rule model in ``_support.schedmodel`` whether the recorded trace is
one the documented rules allow. Deterministic (derandomized, no example database); the number of
examples follows LOOPCONF_HYPOTHESIS_PROFILE (default | thorough).
"""

from hypothesis import given

from loopconf.checks import check
from loopconf.evidence import expect

from ._support.schedmodel import Runner, model_settings, programs, violations


def _judge(new_loop, program, round_time, found):
    """Run one program on a fresh loop; remember the first trace the rules reject.

    Violations are collected rather than raised inside hypothesis: traces depend on timing, so
    replaying or shrinking a failing example is not reliable; the first one found is reported.
    """
    if found:
        return
    loop = new_loop()
    runner = Runner(loop, round_time)
    try:
        runner.run(program)
        problems = violations(runner.trace)
    except Exception as exc:  # the loop under test raised while running the program
        problems = [f"unexpected {type(exc).__name__}: {exc}"]
    finally:
        loop.close()
    if problems:
        found.append((program, runner.trace, problems))


def _verdict(found):
    if found:
        program, trace, problems = found[0]
        expect(False, "the loop's trace breaks the scheduling rules: " + "; ".join(problems[:5]),
               expected="a trace the documented rules allow",
               observed={"program": repr(program), "trace": repr(trace[:200])})


@check("model.calls.trace", section="19.5.1.2", method="call_soon",
       requirement="For any program of call_soon / call_soon_threadsafe (from the loop thread and "
                   "from other threads) / Handle.cancel, with callbacks scheduling callbacks over "
                   "several runs: every callback runs exactly once unless cancelled first, a "
                   "cancelled one never runs, and each queue is FIFO (call_soon; "
                   "call_soon_threadsafe per registering thread).")
def test_model_calls(new_loop):
    """19.5.1.2 call_soon / call_soon_threadsafe: FIFO, exactly once, cancellation (model)."""

    @model_settings()
    @given(programs(timers=False, stops=False))
    def run(program):
        _judge(new_loop, program, 0.001, found)

    found = []
    run()
    _verdict(found)


@check("model.delayed.trace", section="19.5.1.3", method="call_later", note="timer-clock-resolution",
       requirement="For any program mixing call_later / call_at (delays negative, zero and small "
                   "positive) with call_soon and cancellation: no timer runs before its deadline, "
                   "timers with clearly distinct future deadlines run in deadline order, every "
                   "callback runs exactly once unless cancelled first.")
def test_model_delayed(new_loop):
    """19.5.1.3 call_later / call_at: never early, deadline order, exactly once (model)."""

    @model_settings()
    @given(programs(timers=True, stops=False))
    def run(program):
        _judge(new_loop, program, 0.008, found)

    found = []
    run()
    _verdict(found)


@check("model.running.trace", section="19.5.1.1", method="stop",
       anchor="asyncio.AbstractEventLoop.run_forever",
       requirement="For any program that also calls stop() (before run_forever or from callbacks): "
                   "callbacks scheduled after the stop() call, or by the callback that called it, "
                   "do not run in that run_forever; when stop() comes from the first batch, every "
                   "callback queued before the run began still runs in it; together with the call "
                   "and timer rules above.")
def test_model_running(new_loop):
    """19.5.1.1 run_forever / stop: the stop-batch rule, with calls and timers (model)."""

    @model_settings()
    @given(programs(timers=True, stops=True))
    def run(program):
        _judge(new_loop, program, 0.008, found)

    found = []
    run()
    _verdict(found)
