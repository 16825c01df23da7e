"""Adversarial audit: each loop in tests/broken/adversarial.py breaks ONE guarantee subtly; loopconf
must flag it with at least one check of the area (the check we expect is named in the message).

Each case runs the checks of one method area (a glob), not a single check ID, so it asserts what
a judge would see: SOME check of that area does not pass. Gaps found by the audit whose check is
not in a suite yet are marked xfail(strict=True) with the ID of the pending check (AUDIT.md): they
turn into failures as soon as the check lands, so the mark must then be removed.
"""

import pytest

from tests.support import run_checks

FLAGGED = ("fail", "timeout")
# Loops whose check process may not end cleanly (a leaked executor thread): run them in a worker
# so that a hang is recorded as a timeout instead of losing the records.
HANGS = {"CloseKeepsExecutorLoop"}

# (loop class, check globs to run, the check expected to flag it, pending check or None)
CASES = [
    ("FalsyResultLoop", ["running.run_until_complete.*"], "running.run_until_complete.result_identity", None),
    ("StopLateOnBigBatchLoop", ["running.stop.*"], "running.stop.scheduled_by_batch_deferred_many", None),
    ("NotRunningInRucLoop", ["running.is_running.*"], "running.is_running.status", None),
    ("CloseKeepsExecutorLoop", ["executor.close.*"], "executor.close.default_executor_not_awaited", None),
    ("ShutdownOneAsyncgenLoop", ["running.shutdown_asyncgens.*"], "running.shutdown_asyncgens.acloses_open", None),
    ("WakeOnceLoop", ["calls.call_soon_threadsafe.*"], "calls.call_soon_threadsafe.wakes_loop_each_time", None),
    ("ErrorDropsBatchLoop", ["calls.call_soon.error*"], "calls.call_soon.error_keeps_others", None),
    ("ManyArgsTruncatedLoop", ["calls.call_soon.*"], "calls.call_soon.args", None),
    ("MsFloorTimerLoop", ["delayed.call_*"], "delayed.call_later.when / delayed.call_at.when", None),
    ("EarlyLongDelayLoop", ["delayed.call_later.*"], "delayed.call_later.when", None),
    ("TimerCancelledFalseLoop", ["handle.*"], "handle.cancelled.timer_reports", None),
    ("NameOnlyFirstTaskLoop", ["tasks.create_task.*"], "tasks.create_task.name_each", None),
    ("FactoryWrapperLoop", ["tasks.*_task_factory.*"], "tasks.set_task_factory.roundtrip", None),
    (
        "DataAfterCloseLoop",
        ["connections.create_connection.*close*"],
        "connections.create_connection.no_data_after_close",
        None,
    ),
    (
        "EofAfterLostLoop",
        ["connections.create_connection.callback_order"],
        "connections.create_connection.callback_order",
        None,
    ),
    (
        "EofKeepOpenIgnoredLoop",
        ["connections.create_connection.eof*"],
        "connections.create_connection.eof_keep_open",
        None,
    ),
    (
        "PauseIgnoredAfterDataLoop",
        ["connections.create_connection.pause_reading*"],
        "connections.create_connection.pause_reading_after_data",
        None,
    ),
    (
        "DatagramWildcardSocknameLoop",
        ["connections.create_datagram_endpoint.remote_addr"],
        "connections.create_datagram_endpoint.remote_addr",
        None,
    ),
    ("ZeroDelayPlainHandleLoop", ["delayed.call_later.*"], "delayed.call_later.returns_timerhandle", None),
    (
        "CachedClockLoop",
        ["delayed.time.*", "delayed.call_later.*"],
        "delayed.time.current_in_callback / delayed.call_later.measured_from_call",
        None,
    ),
    (
        "ThreadsafeOwnQueueLoop",
        ["calls.call_soon_threadsafe.*"],
        "calls.call_soon_threadsafe.returns_handle / args_and_context",
        None,
    ),
    (
        "CloseSkipsUserExecutorLoop",
        ["executor.close.*", "executor.set_default_executor.*"],
        "executor.close.shuts_down_set_default_executor",
        None,
    ),
    (
        "ServerEofKeepOpenIgnoredLoop",
        ["servers.create_server.eof*", "servers.create_server.callback_order"],
        "servers.create_server.eof_keep_open",
        None,
    ),
    ("SubprocessDropsEnvLoop", ["subprocess.subprocess_exec.*"], "subprocess.subprocess_exec.popen_kwargs", None),
    (
        "RepeatedPauseWritingLoop",
        ["connections.create_connection.flow_control*"],
        "connections.create_connection.flow_control / flow_control_paired",
        None,
    ),
    ("HonestWhenEarlyFireLoop", ["delayed.*"], "delayed.call_later.not_early / delayed.call_at.not_early", None),
    ("RemoveReaderFalseWithWriterLoop", ["fdwatch.remove_*"], "fdwatch.remove_reader.returns_true_with_writer", None),
    ("RemoveWriterKeepsCallbackLoop", ["fdwatch.remove_writer.*"], "fdwatch.remove_writer.stops_callbacks", None),
    ("RecvOverNbytesLoop", ["sockets.sock_recv.*"], "sockets.sock_recv.at_most_nbytes", None),
    ("SendallCountLoop", ["sockets.sock_sendall.*"], "sockets.sock_sendall.returns_none", None),
    ("FamilyIgnoredLoop", ["resolution.getaddrinfo.*"], "resolution.getaddrinfo.matches_socket", None),
    ("TypeIgnoredLoop", ["resolution.getaddrinfo.*"], "resolution.getaddrinfo.matches_socket", None),
    ("SyncSignalLoop", ["signals.add_signal_handler.*"], "signals.add_signal_handler.runs_as_loop_callback", None),
    (
        "ExecutorArgsTruncatedLoop",
        ["executor.run_in_executor.*"],
        "executor.run_in_executor.other_thread_with_args",
        None,
    ),
    ("NoExceptionKeyForTimersLoop", ["errors.context.call_*"], "errors.context.call_later_callback", None),
    ("HandlerGetsCopyLoop", ["errors.get_exception_handler.*"], "errors.get_exception_handler.returns_handler", None),
]


def _param(case):
    loop_class, globs, expected, pending = case
    marks = [pytest.mark.xfail(strict=True, reason=f"gap: {expected} pending ({pending})")] if pending else []
    return pytest.param(loop_class, globs, expected, id=loop_class, marks=marks)


@pytest.mark.parametrize("loop_class, globs, expected", [_param(c) for c in CASES])
def test_adversarial_loop_is_flagged(loop_class, globs, expected):
    # a worker process (-n 1) so that a check the loop makes hang is recorded as a timeout
    workers = 1 if loop_class in HANGS else 0
    records = run_checks(f"tests.broken.adversarial:{loop_class}", *globs, timeout=8, workers=workers)
    flagged = {cid: rec["outcome"] for cid, rec in records.items() if rec["outcome"] in FLAGGED}
    assert flagged, (
        f"{loop_class} passed every check of {globs}; expected {expected} to fail. "
        f"Outcomes: { {cid: rec['outcome'] for cid, rec in records.items()} }"
    )
    errors = {cid: rec["message"] for cid, rec in records.items() if rec["outcome"] == "error"}
    assert not errors, f"loopconf errors while checking {loop_class}: {errors}"
