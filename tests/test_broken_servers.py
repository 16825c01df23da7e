"""Each broken loop for 19.5.1.7 and the Server object is flagged on the check for the
guarantee it breaks, while a check it does not break still passes on it."""

import sys

import pytest

from tests.support import run_checks

B = "tests.broken.servers:"


def glob_of(check_id):
    """--loopconf-check takes globs: escape the '[' of parameter IDs."""
    return check_id.replace("[", "[[]")


CASES = {
    # loop: (checks that must fail, checks that must still pass)
    "ServesAnywayLoop": (["servers.create_server.start_serving_false"], ["servers.create_server.returns_server"]),
    "DoubleFactoryServerLoop": (["servers.create_server.factory_per_connection"],
                                ["servers.create_server.reuse_address_default"]),
    "IgnoreFamilyServerLoop": (["servers.create_server.family"], ["servers.create_server.flags"]),
    "IgnoreFlagsServerLoop": (["servers.create_server.flags"], ["servers.create_server.family"]),
    "FirstHostOnlyLoop": (["servers.create_server.host_sequence"], ["servers.create_server.returns_server"]),
    "LoopbackForAllLoop": (["servers.create_server.all_interfaces[none]", "servers.create_server.all_interfaces[empty]"],
                           ["servers.create_server.returns_server"]),
    "SockWithHostServerLoop": (["servers.create_server.sock_exclusive[host]",
                                "servers.create_server.sock_exclusive[port]"],
                               ["servers.create_server.sock"]),
    "NoReuseAddressServerLoop": (["servers.create_server.reuse_address_default"],
                                 ["servers.create_server.reuse_address_false"]),
    "AlwaysReuseAddressServerLoop": (["servers.create_server.reuse_address_false"],
                                     ["servers.create_server.reuse_address_default"]),
    "NoReusePortServerLoop": (["servers.create_server.reuse_port"], ["servers.create_server.backlog"]),
    "NoEofServerLoop": (["servers.create_server.callback_order"], ["servers.create_server.many_clients"]),
    "SerialServerLoop": (["servers.create_server.many_clients"], ["servers.create_server.factory_per_connection"]),
    "UnixServerNoBytesLoop": (["servers.create_unix_server.path[bytes]"],
                              ["servers.create_unix_server.path[str]", "servers.create_unix_server.path[pathlib]"]),
    "UnixServerNoAbstractLoop": (["servers.create_unix_server.abstract"], ["servers.create_unix_server.sock"]),
    "UnixServerPathRequiredTypeLoop": (["servers.create_unix_server.path_required"],
                                       ["servers.create_unix_server.sock"]),
    "AcceptedSocketNoMadeLoop": (["servers.connect_accepted_socket.pair", "servers.connect_accepted_socket.unix"],
                                 ["servers.create_server.returns_server"]),
    "CloseKeepsListeningLoop": (["server.close.stops_listening"], ["server.close.keeps_connections"]),
    "CloseClosesConnectionsLoop": (["server.close.keeps_connections"], ["server.close.stops_listening"]),
    "StaleSocketsLoop": (["server.close.sockets_cleared"], ["server.sockets.listening"]),
    "WaitClosedImmediateLoop": (["server.wait_closed.until_closed"]
                                + (["server.wait_closed.active_connections"] if sys.version_info >= (3, 12, 1) else []),
                                ["server.close.stops_listening"]),
    "AlwaysServingLoop": (["server.is_serving.state"], ["server.get_loop.loop"]),
    "GetLoopNoneLoop": (["server.get_loop.loop"], ["server.is_serving.state"]),
    "StartServingOnceLoop": (["server.start_serving.idempotent"], ["servers.create_server.start_serving_false"]),
    "ServeForeverNoCloseLoop": (["server.serve_forever.cancel_closes"], ["server.start_serving.idempotent"]),
    "ServeForeverTwiceLoop": (["server.serve_forever.only_one"], ["server.serve_forever.cancel_closes"]),
    "AsyncWithNoCloseLoop": (["server.async_with.closes"], ["server.close.stops_listening"]),
    "NotAbstractServerLoop": (["servers.create_server.returns_server"], ["servers.create_server.backlog"]),
    "ServerSockIgnoredLoop": (["servers.create_server.sock"], ["servers.create_server.returns_server"]),
    "BacklogRejectedLoop": (["servers.create_server.backlog"], ["servers.create_server.returns_server"]),
    "UnixServerNoSockLoop": (["servers.create_unix_server.sock"], ["servers.create_unix_server.path[str]"]),
    "NoSocketsLoop": (["server.sockets.listening"], ["servers.create_unix_server.path_required"]),
    "ServerNoNodelayLoop": (["servers.create_server.tcp_nodelay"], ["servers.create_server.returns_server"]),
    "SocketsNotCopiedLoop": (["server.sockets.copy"], ["servers.create_server.returns_server"]),
}

CASES_313 = {
    "CloseClientsNoopLoop": (["server.close_clients.closes"], ["server.abort_clients.aborts"]),
    "AbortClientsClosesLoop": (["server.abort_clients.aborts"], ["server.close_clients.closes"]),
    "UnixServerNoCleanupLoop": (["servers.create_unix_server.cleanup_socket"], ["servers.create_unix_server.sock"]),
    "IgnoreKeepAliveLoop": (["servers.create_server.keep_alive"], ["servers.create_server.returns_server"]),
}


def _assert_flagged(loop_name, failing, passing):
    records = run_checks(B + loop_name, *(glob_of(c) for c in failing + passing))
    for cid in failing:
        assert cid in records, f"{cid} did not run on {loop_name}"
        assert records[cid]["outcome"] == "fail", (cid, records[cid]["outcome"], records[cid].get("message"))
    for cid in passing:
        assert cid in records, f"{cid} did not run on {loop_name}"
        assert records[cid]["outcome"] == "pass", (cid, records[cid]["outcome"], records[cid].get("message"))


@pytest.mark.parametrize("loop_name", list(CASES))
def test_broken_server_loop_is_flagged(loop_name):
    _assert_flagged(loop_name, *CASES[loop_name])


@pytest.mark.parametrize("loop_name", list(CASES_313))
def test_broken_server_loop_is_flagged_313(loop_name):
    if sys.version_info < (3, 13):
        pytest.skip("close_clients/abort_clients/cleanup_socket exist from Python 3.13; "
                    "run these tests under 3.13 to exercise them")
    _assert_flagged(loop_name, *CASES_313[loop_name])
