"""Each broken loop for 19.5.1.14 (UNIX signals) is flagged on the intended check."""

import pytest

from tests.support import assert_outcomes

B = "tests.broken.signals:"

CASES = [
    ("InvalidSignalRuntimeErrorLoop", ["signals.add_signal_handler.invalid_signal[0]",
                                       "signals.add_signal_handler.invalid_signal[10000]",
                                       "signals.add_signal_handler.invalid_signal[NSIG]"]),
    ("AcceptsUncatchableLoop", ["signals.add_signal_handler.uncatchable[SIGKILL]",
                                "signals.add_signal_handler.uncatchable[SIGSTOP]"]),
    ("OffMainThreadSilentLoop", ["signals.add_signal_handler.off_main_thread"]),
    ("RemoveReturnsNoneLoop", ["signals.remove_signal_handler.returns_true",
                               "signals.remove_signal_handler.returns_false"]),
    ("RemoveAlwaysTrueLoop", ["signals.remove_signal_handler.returns_false"]),
    ("RemoveIgnoresLoop", ["signals.remove_signal_handler.restores_default[SIGUSR1]",
                           "signals.remove_signal_handler.restores_default[SIGUSR2]"]),
    ("SigintNotRestoredLoop", ["signals.remove_signal_handler.restores_sigint"]),
    ("KeepsFirstHandlerLoop", ["signals.add_signal_handler.replaces"]),
    ("DropsArgsLoop", ["signals.add_signal_handler.runs_callback"]),
    ("OneHandlerForAllLoop", ["signals.add_signal_handler.independent_signals"]),
    ("NoWakeupLoop", ["signals.add_signal_handler.wakes_selector"]),
    ("CloseKeepsHandlersLoop", ["signals.close.removes_handlers"]),
    ("ErrorRemovesHandlerLoop", ["signals.add_signal_handler.callback_error_to_handler"]),
]


@pytest.mark.parametrize("loop_name,check_ids", CASES, ids=[c[0] for c in CASES])
def test_broken_loop_is_flagged(loop_name, check_ids):
    assert_outcomes(B + loop_name, check_ids, "fail")


def test_stock_loop_passes_the_same_checks():
    """Control: the checks above pass on the unbroken SelectorEventLoop."""
    assert_outcomes("asyncio:SelectorEventLoop", [cid for _, ids in CASES for cid in ids], "pass")