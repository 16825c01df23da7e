"""19.5.1.12 Resolve host name: getaddrinfo and getnameinfo.

Results are compared with socket.getaddrinfo / socket.getnameinfo called with the same
arguments in the same process (so /etc/hosts and /etc/services answer both the same way);
only loopback names and numeric hosts are used, never real DNS. The non-blocking checks use a
patched socket function that blocks until the loop under test runs a callback
(see _support/resolver.py).
"""

import asyncio
import socket
import threading

import pytest

from loopconf import checks
from loopconf.checks import SHOULD
from loopconf.evidence import Violation, expect, expect_equal

from ._support.net import Net
from ._support.resolver import BLOCK_LIMIT, SlowResolver

scope = checks.scope(area="resolution", section="19.5.1.12")
MARK_PORT = 47  # marks the resolution the slow resolver holds back

GAI_CASES = {
    "localhost": (("localhost", 80), {}),
    "localhost-str-port": (("localhost", "8080"), {}),
    "ipv4-stream": (("127.0.0.1", 8080), {"type": socket.SOCK_STREAM}),
    "ipv4-udp-proto": (("127.0.0.1", 53), {"proto": socket.IPPROTO_UDP}),
    "ipv6-family": (("::1", 443), {"family": socket.AF_INET6}),
    "numerichost": (("127.0.0.1", 22), {"flags": socket.AI_NUMERICHOST}),
    "passive-none": ((None, 0), {"family": socket.AF_INET, "type": socket.SOCK_STREAM, "flags": socket.AI_PASSIVE}),
}

GNI_CASES = {
    "ipv4": (("127.0.0.1", 80), 0),
    "ipv4-numeric": (("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
    "ipv4-dgram": (("127.0.0.1", 5000), socket.NI_DGRAM),
    "ipv6": (("::1", 443, 0, 0), 0),
}


def _outcome(func, *args, **kwargs):
    try:
        return ("result", func(*args, **kwargs))
    except socket.gaierror as exc:
        return ("gaierror", exc.errno)


async def _aoutcome(aw):
    try:
        return ("result", await aw)
    except socket.gaierror as exc:
        return ("gaierror", exc.errno)


# -- getaddrinfo ----------------------------------------------------------------------------------


@scope.check(
    "getaddrinfo",
    "is_coroutine",
    requirement="getaddrinfo is a coroutine method: calling it returns a coroutine (not a Future) "
    "whose result is the address list.",
    covers=("getaddrinfo.1",),
)
def test_getaddrinfo_is_coroutine(loop):
    with Net(loop) as net:
        aw = loop.getaddrinfo("127.0.0.1", 80, flags=socket.AI_NUMERICHOST)
        try:
            expect(
                asyncio.iscoroutine(aw),
                "getaddrinfo did not return a coroutine",
                expected="coroutine",
                observed=type(aw).__name__,
            )
        finally:
            result = net.run(aw, what="awaiting getaddrinfo('127.0.0.1', 80)")
        expect(
            isinstance(result, list) and result, "getaddrinfo's result is not a non-empty list", observed=repr(result)
        )


def _unordered(outcome):
    """An outcome with the address list as a sorted list and an error as its class only."""
    kind, value = outcome
    if kind == "result" and isinstance(value, list):
        return kind, sorted(value, key=repr)
    if kind == "gaierror":
        return kind, "socket.gaierror"
    return kind, value


@pytest.mark.parametrize("case", list(GAI_CASES))
@scope.check(
    "getaddrinfo",
    "matches_socket",
    note="getaddrinfo-order",
    requirement="getaddrinfo gives the same set of (family, type, proto, canonname, sockaddr) entries "
    "as socket.getaddrinfo for the same host, port, family, type, proto and flags (or "
    "fails as it does).",
    covers=("getaddrinfo.2",),
)
def test_getaddrinfo_matches_socket(loop, case):
    """19.5.1.12 getaddrinfo: the asynchronous version of socket.getaddrinfo, so the same entries.

    MUST compares the entries as a set and an error by class; the order and the errno are
    getaddrinfo.matches_socket_order (SHOULD, see its note).
    """
    args, kwargs = GAI_CASES[case]
    expected = _outcome(socket.getaddrinfo, *args, **kwargs)
    with Net(loop) as net:
        observed = net.run(_aoutcome(loop.getaddrinfo(*args, **kwargs)), what=f"getaddrinfo{args}")
    expect_equal(
        _unordered(observed),
        _unordered(expected),
        f"getaddrinfo{args} {kwargs} gives other entries than socket.getaddrinfo",
    )


@pytest.mark.parametrize("case", list(GAI_CASES))
@scope.check(
    "getaddrinfo",
    "matches_socket_order",
    level=SHOULD,
    note="getaddrinfo-order",
    requirement="getaddrinfo returns socket.getaddrinfo's entries in the same order (the order the "
    "system ranks addresses in), and the same errno on failure.",
    covers=("getaddrinfo.2",),
)
def test_getaddrinfo_matches_socket_order(loop, case):
    args, kwargs = GAI_CASES[case]
    expected = _outcome(socket.getaddrinfo, *args, **kwargs)
    with Net(loop) as net:
        observed = net.run(_aoutcome(loop.getaddrinfo(*args, **kwargs)), what=f"getaddrinfo{args}")
    expect_equal(observed, expected, f"getaddrinfo{args} {kwargs} differs in order or errno from socket.getaddrinfo")


@scope.check(
    "getaddrinfo",
    "raises_gaierror",
    requirement="A failed resolution raises socket.gaierror, as socket.getaddrinfo does.",
    covers=("getaddrinfo.2",),
)
def test_getaddrinfo_raises_gaierror(loop):
    args, kwargs = ("not-a-number.invalid", 80), {"flags": socket.AI_NUMERICHOST}
    expected = _outcome(socket.getaddrinfo, *args, **kwargs)
    if expected[0] != "gaierror":
        pytest.skip("socket.getaddrinfo itself does not fail for a name with AI_NUMERICHOST here")
    with Net(loop) as net:
        observed = net.run(_aoutcome(loop.getaddrinfo(*args, **kwargs)), what="getaddrinfo with AI_NUMERICHOST")
    expect_equal(observed, expected, "getaddrinfo did not raise socket.gaierror with socket.getaddrinfo's errno")


@scope.check(
    "getaddrinfo",
    "does_not_block",
    requirement="getaddrinfo does not block the loop: other callbacks run while a slow resolution is in progress.",
    covers=("getaddrinfo.3",),
)
def test_getaddrinfo_does_not_block(loop):
    _non_blocking(
        loop,
        "getaddrinfo",
        lambda args, kw: args[1:2] == (MARK_PORT,) or kw.get("port") == MARK_PORT,
        lambda: loop.getaddrinfo("127.0.0.1", MARK_PORT, type=socket.SOCK_STREAM),
        lambda: socket.getaddrinfo("127.0.0.1", MARK_PORT, type=socket.SOCK_STREAM),
    )


# -- getnameinfo ----------------------------------------------------------------------------------


@scope.check(
    "getnameinfo",
    "is_coroutine",
    requirement="getnameinfo is a coroutine method: calling it returns a coroutine (not a Future) "
    "whose result is the (host, port) pair.",
    covers=("getnameinfo.1",),
)
def test_getnameinfo_is_coroutine(loop):
    with Net(loop) as net:
        aw = loop.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)
        try:
            expect(
                asyncio.iscoroutine(aw),
                "getnameinfo did not return a coroutine",
                expected="coroutine",
                observed=type(aw).__name__,
            )
        finally:
            result = net.run(aw, what="awaiting getnameinfo(('127.0.0.1', 80))")
        expect_equal(result, ("127.0.0.1", "80"), "getnameinfo's numeric result is wrong")


@pytest.mark.parametrize("case", list(GNI_CASES))
@scope.check(
    "getnameinfo",
    "matches_socket",
    note="getaddrinfo-order",
    requirement="getnameinfo gives the same (host, port) as socket.getnameinfo for the same address "
    "and flags (or fails with socket.gaierror as it does).",
    covers=("getnameinfo.2",),
)
def test_getnameinfo_matches_socket(loop, case):
    """19.5.1.12 getnameinfo: the asynchronous version of socket.getnameinfo. An error is compared
    by class here; its errno is getnameinfo.raises_gaierror's business.
    """
    sockaddr, flags = GNI_CASES[case]
    expected = _outcome(socket.getnameinfo, sockaddr, flags)
    with Net(loop) as net:
        observed = net.run(_aoutcome(loop.getnameinfo(sockaddr, flags)), what=f"getnameinfo({sockaddr}, {flags})")
    expect_equal(
        _unordered(observed), _unordered(expected), f"getnameinfo({sockaddr}, {flags}) differs from socket.getnameinfo"
    )


@scope.check(
    "getnameinfo",
    "raises_gaierror",
    requirement="A failed reverse lookup raises socket.gaierror, as socket.getnameinfo does.",
    covers=("getnameinfo.2",),
)
def test_getnameinfo_raises_gaierror(loop):
    sockaddr = ("not-an-address.invalid", 80)
    expected = _outcome(socket.getnameinfo, sockaddr, 0)
    if expected[0] != "gaierror":
        pytest.skip("socket.getnameinfo itself does not fail for a non-numeric host here")
    with Net(loop) as net:
        observed = net.run(_aoutcome(loop.getnameinfo(sockaddr, 0)), what="getnameinfo of a non-numeric host")
    expect_equal(observed, expected, "getnameinfo did not raise socket.gaierror with socket.getnameinfo's errno")


@scope.check(
    "getnameinfo",
    "does_not_block",
    requirement="getnameinfo does not block the loop: other callbacks run while a slow lookup is in progress.",
    covers=("getnameinfo.3",),
)
def test_getnameinfo_does_not_block(loop):
    sockaddr = ("127.0.0.1", MARK_PORT)
    flags = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
    _non_blocking(
        loop,
        "getnameinfo",
        lambda args, kw: bool(args) and args[0] == sockaddr,
        lambda: loop.getnameinfo(sockaddr, flags),
        lambda: socket.getnameinfo(sockaddr, flags),
    )


def _non_blocking(loop, name, is_marked, call, expected_call):
    expected = expected_call()
    with Net(loop) as net, SlowResolver(loop, name, is_marked) as slow:

        async def scenario():
            slow.poll()
            return await call()

        result = net.run(scenario(), timeout=BLOCK_LIMIT + 3, what=f"{name} held back until a loop callback runs")
    if not slow.entered.is_set():
        pytest.skip(
            f"the loop's {name} does not call socket.{name}; a slow resolution cannot be "
            "simulated for it without real DNS"
        )
    loop_thread = threading.get_ident()
    if slow.blocked_loop:
        raise Violation(
            f"{name} blocked the loop: no callback ran while the resolution was in progress (held {BLOCK_LIMIT:g}s)",
            expected="resolution off the loop thread",
            observed="socket.%s ran on the loop thread" % name  # noqa: UP031
            if loop_thread in slow.threads
            else "the loop did not run callbacks meanwhile",
        )
    expect(slow.released_by_loop, f"no loop callback ran while {name} was in progress")
    expect_equal(result, expected, f"{name} returned another result than socket.{name}")
