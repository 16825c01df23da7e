"""Each broken loop for 19.5.1.6 is flagged on the check for the guarantee it breaks,
while the checks it does not break still pass on it (the breakage is targeted)."""

import sys

import pytest

from tests.support import run_checks


def glob_of(check_id):
    """--loopconf-check takes globs: escape the '[' of parameter IDs."""
    return check_id.replace("[", "[[]")

B = "tests.broken.connections:"

CASES = {
    # loop: (checks that must fail, checks that must still pass)
    "DoubleFactoryLoop": (["connections.create_connection.factory_once"],
                          ["connections.create_connection.host_port[ipv4]"]),
    "LateConnectionMadeLoop": (["connections.create_connection.synopsis_order"],
                               ["connections.create_connection.factory_once"]),
    "EagerFactoryLoop": (["connections.create_connection.refused", "connections.create_connection.synopsis_order"],
                         ["connections.create_connection.returns_pair"]),
    "IgnoreLocalAddrLoop": (["connections.create_connection.local_addr"],
                            ["connections.create_connection.returns_pair"]),
    "IgnoreFamilyLoop": (["connections.create_connection.family"], ["connections.create_connection.flags_proto"]),
    "IgnoreFlagsLoop": (["connections.create_connection.flags_proto"], ["connections.create_connection.family"]),
    "SockWithHostLoop": (["connections.create_connection.sock_exclusive[host]",
                          "connections.create_connection.sock_exclusive[port]"],
                         ["connections.create_connection.sock"]),
    "DoubleConnectionLostLoop": (["connections.create_connection.callback_order",
                                  "connections.create_connection.peer_reset_lost_once"],
                                 ["connections.create_connection.returns_pair"]),
    "NoEofReceivedLoop": (["connections.create_connection.callback_order"],
                          ["connections.create_connection.peer_reset_lost_once"]),
    "NoFlowControlLoop": (["connections.create_connection.flow_control"],
                          ["connections.create_connection.write_buffer"]),
    "NoPeernameLoop": (["connections.create_connection.extra_info_addresses"],
                       ["connections.create_connection.extra_info_socket"]),
    "NoSocketInfoLoop": (["connections.create_connection.extra_info_socket"],
                         ["connections.create_connection.extra_info_addresses"]),
    "WritelinesDropsLastLoop": (["connections.create_connection.write_writelines"],
                                ["connections.create_connection.close"]),
    "NoWriteEofLoop": (["connections.create_connection.write_eof"], ["connections.create_connection.close"]),
    "CloseDiscardsLoop": (["connections.create_connection.close"], ["connections.create_connection.abort"]),
    "AbortFlushesLoop": (["connections.create_connection.abort"], ["connections.create_connection.close"]),
    "PauseReadingNoopLoop": (["connections.create_connection.pause_reading"],
                             ["connections.create_connection.write_eof"]),
    "BadBufferLimitsLoop": (["connections.create_connection.write_buffer"],
                            ["connections.create_connection.pause_reading"]),
    "DatagramNoAddrLoop": (["connections.create_datagram_endpoint.local_addr",
                            "connections.create_datagram_endpoint.remote_addr",
                            "connections.create_datagram_endpoint.sock"],
                           ["connections.create_datagram_endpoint.allow_broadcast"]),
    "DatagramSockWithAddrLoop": (["connections.create_datagram_endpoint.sock_exclusive[local_addr]",
                                  "connections.create_datagram_endpoint.sock_exclusive[remote_addr]"],
                                 ["connections.create_datagram_endpoint.sock"]),
    "DatagramNoBroadcastLoop": (["connections.create_datagram_endpoint.allow_broadcast"],
                                ["connections.create_datagram_endpoint.local_addr"]),
    "DatagramNoReusePortLoop": (["connections.create_datagram_endpoint.reuse_port"],
                                ["connections.create_datagram_endpoint.local_addr"]),
    "DatagramReuseAddressLoop": (["connections.create_datagram_endpoint.no_reuse_address",
                                  "connections.create_datagram_endpoint.reuse_address_removed"
                                  if sys.version_info >= (3, 11) else
                                  "connections.create_datagram_endpoint.reuse_address_rejected"],
                                 ["connections.create_datagram_endpoint.local_addr"]),
    "DatagramNoErrorReceivedLoop": (["connections.create_datagram_endpoint.error_received"],
                                    ["connections.create_datagram_endpoint.remote_addr"]),
    "DatagramNoUnixLoop": (["connections.create_datagram_endpoint.unix"],
                           ["connections.create_datagram_endpoint.local_addr"]),
    "UnixNoBytesPathLoop": (["connections.create_unix_connection.path[bytes]"],
                            ["connections.create_unix_connection.path[str]",
                             "connections.create_unix_connection.path[pathlib]"]),
    "UnixNoAbstractLoop": (["connections.create_unix_connection.abstract"],
                           ["connections.create_unix_connection.path[str]"]),
    "UnixNoSockLoop": (["connections.create_unix_connection.sock",
                        "connections.create_unix_connection.path_required"],
                       ["connections.create_unix_connection.path[str]"]),
    "SwappedPairLoop": (["connections.create_connection.returns_pair"],
                        ["connections.create_unix_connection.path_required"]),
    "NoIPv6Loop": (["connections.create_connection.host_port[ipv6]"], ["connections.create_connection.host_port[ipv4]"]),
    "NoTcpSockLoop": (["connections.create_connection.sock"], ["connections.create_connection.local_addr"]),
    "RefusedAsPlainOSErrorLoop": (["connections.create_connection.refused_type"],
                                  ["connections.create_connection.refused"]),
    "AlwaysReadingLoop": (["connections.create_connection.is_reading"],
                          ["connections.create_connection.returns_pair"]),
    "NoNodelayLoop": (["connections.create_connection.tcp_nodelay"], ["connections.create_connection.returns_pair"]),
    "NoHappyEyeballsLoop": (["connections.create_connection.happy_eyeballs"],
                            ["connections.create_connection.returns_pair"]),
    "DatagramLostTwiceLoop": (["connections.create_datagram_endpoint.close"],
                              ["connections.create_datagram_endpoint.local_addr"]),
}
if sys.version_info >= (3, 12):
    CASES["IgnoreAllErrorsLoop"] = (["connections.create_connection.all_errors"],
                                    ["connections.create_connection.refused"])


@pytest.mark.parametrize("loop_name", list(CASES))
def test_broken_connection_loop_is_flagged(loop_name):
    failing, passing = CASES[loop_name]
    records = run_checks(B + loop_name, *(glob_of(c) for c in failing + passing))
    for cid in failing:
        assert cid in records, f"{cid} did not run on {loop_name}"
        assert records[cid]["outcome"] == "fail", (cid, records[cid]["outcome"], records[cid].get("message"))
    for cid in passing:
        assert cid in records, f"{cid} did not run on {loop_name}"
        assert records[cid]["outcome"] == "pass", (cid, records[cid]["outcome"], records[cid].get("message"))
