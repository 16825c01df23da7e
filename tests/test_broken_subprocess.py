"""Each broken loop for the subprocess transports is flagged on the intended check."""

import pytest

from tests.support import assert_outcomes

B = "tests.broken.subprocess:"

CASES = [
    ("ProcessExitedTwiceLoop", ["subprocess.protocol.callback_order"]),
    ("ConnectionMadeLateLoop", ["subprocess.protocol.callback_order"]),
    ("SwappedFdLoop", ["subprocess.protocol.pipe_data_received"]),
    ("NoPipeConnectionLostLoop", ["subprocess.protocol.pipe_connection_lost"]),
    ("WrongPidLoop", ["subprocess.transport.get_pid"]),
    ("EarlyReturncodeLoop", ["subprocess.transport.get_returncode"]),
    ("PositiveSignalReturncodeLoop", ["subprocess.transport.signals[kill]", "subprocess.transport.signals[terminate]",
                                      "subprocess.transport.signals[send_signal]"]),
    ("NoPipeTransportsLoop", ["subprocess.transport.get_pipe_transport"]),
    ("StdinDroppedLoop", ["subprocess.transport.stdin_write"]),
    ("CloseDoesNotKillLoop", ["subprocess.transport.close_kills"]),
    ("AcceptsShellLoop", ["subprocess.subprocess_exec.rejects_arguments[shell]"]),
    ("ShellAcceptsListLoop", ["subprocess.subprocess_shell.rejects_non_string"]),
    ("SwappedPairLoop", ["subprocess.subprocess_exec.returns_transport_protocol"]),
    ("NoShellLoop", ["subprocess.subprocess_shell.returns_transport_protocol"]),
]


@pytest.mark.parametrize("loop_name,check_ids", CASES, ids=[c[0] for c in CASES])
def test_broken_loop_is_flagged(loop_name, check_ids):
    assert_outcomes(B + loop_name, check_ids, "fail")


def test_stock_loop_passes_the_same_checks():
    """Control: the checks above pass on the unbroken SelectorEventLoop."""
    assert_outcomes("asyncio:SelectorEventLoop", [cid for _, ids in CASES for cid in ids], "pass")