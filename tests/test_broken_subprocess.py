"""Each broken loop for the subprocess transports is flagged on the intended check."""

import pytest

from tests.support import run_checks

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


def _patterns(check_ids):
    """--loopconf-check takes globs: select parametrized checks by their base ID."""
    return sorted({cid.split("[", 1)[0] for cid in check_ids})


@pytest.mark.parametrize("loop_name,check_ids", CASES, ids=[c[0] for c in CASES])
def test_broken_loop_is_flagged(loop_name, check_ids):
    records = run_checks(B + loop_name, *_patterns(check_ids))
    for cid in check_ids:
        assert cid in records, f"{cid} did not run against {loop_name}"
        assert records[cid]["outcome"] == "fail", (cid, records[cid]["outcome"], records[cid].get("message"))


def test_stock_loop_passes_the_same_checks():
    """Control: the checks above pass on the unbroken SelectorEventLoop."""
    ids = sorted({cid for _, ids in CASES for cid in ids})
    records = run_checks("asyncio:SelectorEventLoop", *_patterns(ids))
    assert {cid: records[cid]["outcome"] for cid in ids} == {cid: "pass" for cid in ids}
