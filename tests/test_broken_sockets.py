"""Each broken loop for 19.5.1.11 is flagged on the intended checks."""

import sys

import pytest

from tests.support import run_checks

CASES = {
    "RecvReturnsBytearrayLoop": ["sockets.sock_recv.returns_bytes"],
    "RecvIgnoresNbytesLoop": ["sockets.sock_recv.at_most_nbytes"],
    "RecvDoesNotWaitLoop": ["sockets.sock_recv.waits_for_data"],
    "RecvEofRaisesLoop": ["sockets.sock_recv.eof_returns_empty"],
    "StaleRecvOnCancelLoop": ["sockets.sock_recv.cancel_leaves_socket_usable"],
    "RecvIntoReturnsBytesLoop": ["sockets.sock_recv_into.returns_count"],
    "RecvIntoOffsetLoop": ["sockets.sock_recv_into.writes_buffer"],
    "SendallReturnsCountLoop": ["sockets.sock_sendall.returns_none"],
    "SendallPartialLoop": ["sockets.sock_sendall.sends_everything"],
    "SendallSwallowsErrorsLoop": ["sockets.sock_sendall.error_raises"],
    "ConnectNoopLoop": ["sockets.sock_connect.connects"],
    "ConnectSwallowsErrorsLoop": ["sockets.sock_connect.refused_raises"],
    "ConnectNeedsResolvedLoop": ["sockets.sock_connect.resolves_hostname"],
    "AcceptWrongAddressLoop": ["sockets.sock_accept.address_is_peer"],
    "AcceptUnusableConnLoop": ["sockets.sock_accept.returns_usable_pair"],
    "BlockingSocketsAcceptedLoop": [f"sockets.{m}.blocking_socket_refused_in_debug" for m in
                                    ("sock_recv", "sock_recv_into", "sock_sendall", "sock_accept",
                                     "sock_connect")],
}
if sys.version_info >= (3, 11):
    CASES["DatagramOpsBrokenLoop"] = ["sockets.sock_recvfrom.returns_data_and_address",
                                      "sockets.sock_recvfrom_into.returns_count_and_address",
                                      "sockets.sock_sendto.sends_datagram"]


@pytest.mark.parametrize("loop_name", list(CASES))
def test_broken_sockets_is_flagged(loop_name):
    spec = f"tests.broken.sockets:{loop_name}"
    records = run_checks(spec, *CASES[loop_name])
    for cid in CASES[loop_name]:
        matching = {k: r for k, r in records.items() if k.split("[")[0] == cid}
        assert matching, f"{cid} did not run against {spec}"
        for key, rec in matching.items():
            if key.endswith("[ipv6]") and rec["outcome"] == "skip":
                continue  # no IPv6 loopback on this machine
            assert rec["outcome"] == "fail", f"{spec}: {key} was {rec['outcome']}: {rec['message']}"
            assert not rec["message"].startswith("invariant broken"), f"{spec}: {key} failed only on "\
                f"an invariant, not on its requirement: {rec['message']}"
