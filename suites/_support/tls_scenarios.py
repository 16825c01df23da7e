"""TLS scenarios shared by every entry point that speaks TLS.

The same guarantee (a clean close_notify both ways, ``ssl_*`` options refused without ssl, a
handshake that times out) holds for create_connection, create_unix_connection, create_server,
create_unix_server, connect_accepted_socket and start_tls. The suites declare one check per
entry point and guarantee and call a scenario here with what differs:

- an *opener* ``open_tls(script) -> (transport, protocol, result)``: establish a TLS
  connection through the entry point, with a peer thread that completes the handshake and then
  runs ``script(peer)``; ``result()`` waits for the script's return value;
- or a *call* ``call(factory) -> coroutine``: the entry point's coroutine with that protocol
  factory, for scenarios where the call itself must fail.

Peers (thread side, :mod:`suites._support.tls`) are defined here too: the TLS checks in
``sec_09_tls.py`` and ``tls_parameters.py`` use them.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import threading
import time

from loopconf.evidence import Violation, expect, expect_equal, expect_instance

from .limits import DEFAULT_PROBE, TIMEOUT, waited_at_least
from .net import Factory, io_rounds, read_to_eof
from .tls import HANDSHAKE_TIMEOUT, PeerThread, TLSPeer, read_raw_to_eof

# -- peers ----------------------------------------------------------------------------------


def accept_one(threads, listener, body):
    """Accept one connection on ``listener`` in a thread and return ``body(conn)`` from it."""
    threads.sock(listener)

    def run():
        listener.settimeout(TIMEOUT)
        conn, _ = listener.accept()
        threads.sock(conn)
        return body(conn)

    return PeerThread(threads, run)


def tls_server(threads, listener, ctx, script=None, stall=0.0):
    """Accept one connection on ``listener`` in a thread, do the TLS handshake, run ``script``.
    With ``stall``, say nothing for that many seconds before answering the ClientHello."""

    def body(conn):
        if stall:
            time.sleep(stall)  # holds the handshake back; the loop must not give up this early
        peer = TLSPeer(conn, ctx, server_side=True)
        peer.handshake()
        return script(peer) if script else None

    return accept_one(threads, listener, body)


def failing_tls_server(threads, listener, ctx):
    """Accept one connection and attempt the handshake; returns (handshake error, how it closed)."""

    def body(conn):
        peer = TLSPeer(conn, ctx, server_side=True)
        try:
            peer.handshake()
        except Exception as exc:  # the client refused us: expected
            error = exc
        else:
            error = None
        try:
            rest = read_raw_to_eof(conn)
        except TimeoutError:
            return error, "still open"
        return error, f"closed ({len(rest)} more bytes)"

    return accept_one(threads, listener, body)


def closed_by_loop(sock) -> bool:
    """Read ``sock`` raw to its end: True once the loop closed it, False if it stayed open."""
    try:
        read_raw_to_eof(sock)
    except TimeoutError:
        return False
    return True


def silent_server(threads, listener):
    """Accept one TCP connection, never speak TLS; returns True once the client closed it."""
    return accept_one(threads, listener, closed_by_loop)


def tls_client(threads, address, ctx, script=None, family=socket.AF_INET, server_hostname="localhost", refused=None):
    """Connect to ``address`` in a thread, do the TLS handshake, run ``script``. With ``refused``,
    a failed handshake returns ``refused(exception)`` instead of raising it."""

    def run():
        s = threads.sock(socket.socket(family, socket.SOCK_STREAM))
        s.settimeout(TIMEOUT)
        s.connect(address)
        peer = TLSPeer(s, ctx, server_side=False, server_hostname=server_hostname)
        try:
            peer.handshake()
        except Exception as exc:
            if refused is None:
                raise
            return refused(exc)
        return script(peer) if script else None

    return PeerThread(threads, run)


def echo_upper(peer):
    """Peer script: answer 4 bytes with their upper-case form, then read to the end of the stream."""
    data = peer.recv_exactly(4)
    peer.send(data.upper())
    return peer.recv_until_closed()


def client_ping(peer):
    """Client peer script: send 4 bytes, read the 4-byte answer, then read to the end."""
    peer.send(b"ping")
    answer = peer.recv_exactly(4)
    return answer, peer.recv_until_closed()


def exchange(net, transport, protocol, peer_result):
    """Against :func:`echo_upper`: data both ways over an established TLS transport, then close;
    returns how the peer saw the end (``peer_result()`` is the peer's result)."""
    transport.write(b"ping")
    expect_equal(
        net.run(protocol.received(4), what="the TLS peer's answer"),
        b"PING",
        "decrypted bytes the protocol received from the TLS peer",
    )
    transport.close()
    net.run(protocol.lost, what="connection_lost after close()")
    rest, how = peer_result()
    expect_equal(rest, b"", "bytes the peer received after its answer")
    return how


# -- calls that must fail -------------------------------------------------------------------


def outcome(net, aw, **run_kwargs):
    """``net.run(aw)``: its result, or the exception the loop raised (a Violation of the run
    itself, e.g. a hang, and NotImplementedError still propagate)."""
    try:
        return net.run(aw, **run_kwargs)
    except (Violation, NotImplementedError):
        raise
    except Exception as exc:
        return exc


def connect_fails(net, coro_factory):
    """Run a create_connection-like call that must fail; returns the exception."""
    result = outcome(net, coro_factory())
    if isinstance(result, Exception):
        return result
    net.pair(result)
    raise Violation("the connection was established although it must fail", observed=result)


def expect_none_default(method, name, what):
    """Where ``method``'s signature names parameter ``name`` (wrappers may take **kwargs), its
    default is None."""
    try:
        param = inspect.signature(method).parameters.get(name)
    except (ValueError, TypeError):
        param = None
    if param is not None:
        expect(param.default is None, f"the signature default of {name} of {what} is not None", observed=param.default)


def expect_no_callbacks(factory, what):
    made = [p.names() for p in factory.protocols if p.events]
    expect(not made, f"protocol callbacks ran although {what}", expected=[], observed=made)


def timed_failure(net, loop, coro_factory):
    """Run a call that must give up after HANDSHAKE_TIMEOUT; returns (exception, elapsed loop time)."""
    start = loop.time()
    result = outcome(net, coro_factory())
    if isinstance(result, Exception):
        return result, loop.time() - start
    net.pair(result)
    raise Violation("the handshake with a silent peer succeeded", observed=result)


def expect_timed(exc, elapsed):
    expect(
        waited_at_least(elapsed, HANDSHAKE_TIMEOUT),
        "the handshake was aborted before ssl_handshake_timeout",
        expected=f">= {HANDSHAKE_TIMEOUT}s",
        observed=f"{elapsed:.3f}s ({type(exc).__name__}: {exc})",
    )
    expect_instance(
        exc,
        (OSError, asyncio.TimeoutError),
        "the aborted handshake raised an unexpected exception type",
        expected="ConnectionAbortedError / TimeoutError / OSError",
    )


# -- scenarios ------------------------------------------------------------------------------


def refused_without_ssl(net, loop, call, what):
    """``call(factory)`` passes a TLS-only option without ssl: it must fail with ValueError."""
    factory = net.adopt(Factory(loop))
    exc = connect_fails(net, lambda: call(factory))
    expect_instance(exc, ValueError, f"{what} was not refused with ValueError", expected="ValueError")


def handshake_timeout(net, loop, call):
    """``call(factory)`` talks to a peer that never answers the handshake and passes
    ssl_handshake_timeout=HANDSHAKE_TIMEOUT: it fails no earlier than that, with no callback."""
    factory = net.adopt(Factory(loop))
    exc, elapsed = timed_failure(net, loop, lambda: call(factory))
    expect_timed(exc, elapsed)
    expect_no_callbacks(factory, "the handshake timed out")


def silent_client_dropped(net, loop, factory, client):
    """A server given ssl_handshake_timeout=HANDSHAKE_TIMEOUT and a raw ``client`` that never sends
    a ClientHello: the server drops it no earlier than the timeout, with no protocol callback."""
    start = loop.time()
    net.run(
        read_to_eof(loop, client),
        timeout=HANDSHAKE_TIMEOUT + TIMEOUT,
        what="the server never dropped a client that does not start the handshake",
    )
    elapsed = loop.time() - start
    expect(
        waited_at_least(elapsed, HANDSHAKE_TIMEOUT),
        "the server dropped the client before ssl_handshake_timeout",
        expected=f">= {HANDSHAKE_TIMEOUT}s",
        observed=f"{elapsed:.3f}s",
    )
    expect_no_callbacks(factory, "the handshake never happened")


def handshake_default_not_early(net, loop, open_tls):
    """``open_tls`` passes no ssl_handshake_timeout to a peer that holds the handshake back for
    DEFAULT_PROBE (``stall=DEFAULT_PROBE``): the connection is still made and data flows."""
    transport, protocol, result = open_tls(echo_upper)
    exchange(net, transport, protocol, result)


def close_notify(net, loop, open_tls):
    """close() sends the buffered data, then close_notify; connection_lost(None) once."""
    transport, protocol, result = open_tls(lambda p: p.recv_until_closed())
    transport.write(b"last words")
    transport.close()
    expect_equal(
        net.run(protocol.lost, what="connection_lost after close()"), None, "connection_lost argument after close()"
    )
    data, how = result()
    expect_equal(data, b"last words", "bytes the peer decrypted before the end of the stream")
    expect_equal(how, "clean", "how the peer saw the TLS stream end (close_notify expected)")
    net.run(io_rounds(loop, 2))
    expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


def peer_close_notify(net, loop, open_tls):
    """The peer sends data, then close_notify: the protocol gets the data and connection_lost(None) once."""

    def script(p):
        p.send(b"bye")
        p.close_notify()
        return p.recv_until_closed()

    _, protocol, result = open_tls(script)
    expect_equal(
        net.run(protocol.lost, what="connection_lost after the peer's close_notify"),
        None,
        "connection_lost argument after the peer's close_notify",
    )
    result()
    net.run(io_rounds(loop, 2))
    expect_equal(bytes(protocol.data), b"bye", "data received before the peer's close_notify")
    expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


def serve_exchange(net, factory, peer):
    """Server side against :func:`client_ping`: read 4 bytes, answer them upper-cased, close, and
    check the client got the answer and a clean close_notify. Returns the server protocol."""
    protocol = net.run(factory.new_protocol.get(), what="a protocol for the TLS client")
    net.run(protocol.made, what="connection_made for the TLS client")
    data = net.run(protocol.received(4), what="the TLS client's bytes")
    expect_equal(data, b"ping", "decrypted bytes the server protocol received")
    protocol.transport.write(data.upper())
    return protocol


def expect_client_saw_clean_end(net, protocol, peer):
    """Close the server transport; the client got the answer, then a clean close_notify."""
    protocol.transport.close()
    net.run(protocol.lost)
    answer, (_, how) = peer.result()
    expect_equal(answer, b"PING", "bytes the TLS client received")
    expect_equal(how, "clean", "how the client saw the TLS stream end (close_notify expected)")


# -- server side and start_tls: default timeouts, ssl_shutdown_timeout (issue #16) -----------


def still_open(sock) -> bool:
    """True when nothing arrived on the raw socket ``sock`` and its peer has not closed it."""
    sock.setblocking(False)
    try:
        data = sock.recv(1)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return data != b""  # b"": the other side closed the connection


def silent_client_still_pending(net, loop, factory, client, what):
    """A raw client that never sends a ClientHello is still connected after DEFAULT_PROBE, and
    the server protocol has seen no callback (default ssl_handshake_timeout, server side)."""
    net.run(asyncio.sleep(DEFAULT_PROBE), timeout=DEFAULT_PROBE + TIMEOUT)
    expect(
        still_open(client),
        f"{what}: the server dropped a client stalled in the TLS handshake after "
        f"{DEFAULT_PROBE:g}s although ssl_handshake_timeout=None means 60 s",
        expected="connection still open",
        observed="closed by the server",
    )
    expect_no_callbacks(factory, "the handshake never happened")


def call_still_pending(net, loop, coro, what, client=None):
    """``coro`` (a handshake with a silent peer, default timeout) has not given up after
    DEFAULT_PROBE, and the raw peer socket ``client`` (if given) is still connected; the call is
    then cancelled and settled. Fails with evidence."""
    task = loop.create_task(coro)
    try:
        net.run(asyncio.sleep(DEFAULT_PROBE), timeout=DEFAULT_PROBE + TIMEOUT)
        if client is not None and not task.done():
            expect(
                still_open(client),
                f"{what}: the connection stalled in the handshake was closed within "
                f"{DEFAULT_PROBE:g}s although ssl_handshake_timeout=None means 60 s",
                expected="connection still open",
                observed="closed",
            )
        if task.done():
            error = task.exception() if not task.cancelled() else None
            if isinstance(error, NotImplementedError):
                raise error  # the method is missing: the check ends `missing`, not failed
            if error is None and not task.cancelled():
                net.pair(task.result())
            raise Violation(
                f"{what} ended within {DEFAULT_PROBE:g}s with a peer stalled in the handshake "
                "although ssl_handshake_timeout=None means 60 s",
                expected="still waiting for the handshake",
                observed=repr(error) if error else "completed",
            )
    finally:
        if not task.done():
            task.cancel()
        try:
            net.run(asyncio.wait([task]), what=f"{what} settling after cancel()")
        except Violation:
            pass
        if task.done() and not task.cancelled() and task.exception() is None:
            net.pair(task.result())


def _read_close_notify(p):
    """Send one byte, then read once (the loop's close_notify); returns what that read saw."""
    p.send(b"x")
    try:
        p.recv()
    except Exception as exc:
        return type(exc).__name__
    return "data"


def unanswered_close_notify(p):
    """Peer script: send one byte, read the loop's close_notify, never answer it; then read the
    raw stream to its end. Returns what the first read after the data saw."""
    first = _read_close_notify(p)
    read_raw_to_eof(p.sock)
    return first


def unanswered_shutdown(net, loop, open_tls):
    """``open_tls`` passes ssl_shutdown_timeout=HANDSHAKE_TIMEOUT; close() the transport with a peer
    that never answers the close_notify. Returns (what the peer read first, loop seconds from
    close() to connection_lost); a loop still waiting HANDSHAKE_TIMEOUT + TIMEOUT later fails."""
    transport, protocol, result = open_tls(unanswered_close_notify)
    net.run(protocol.received(1), what="the peer's byte over TLS")
    start = loop.time()
    transport.close()
    net.run(
        protocol.lost,
        timeout=HANDSHAKE_TIMEOUT + TIMEOUT,
        what=f"connection_lost after close() with a peer that never answers close_notify "
        f"(ssl_shutdown_timeout={HANDSHAKE_TIMEOUT})",
    )
    elapsed = loop.time() - start
    return result(), elapsed


def shutdown_timeout(net, loop, open_tls):
    """``open_tls`` passes ssl_shutdown_timeout=HANDSHAKE_TIMEOUT: after close(), a peer that
    never answers the close_notify is cut off within the bound (well before the 30 s default)."""
    first, _ = unanswered_shutdown(net, loop, open_tls)
    expect_equal(first, "CleanClose", "what the peer read after close() (close_notify expected)")


def shutdown_not_early(net, loop, open_tls):
    """Like :func:`shutdown_timeout`, judging the other side: the loop waited at least the timeout."""
    _, elapsed = unanswered_shutdown(net, loop, open_tls)
    expect(
        waited_at_least(elapsed, HANDSHAKE_TIMEOUT),
        "the TLS shutdown was cut off before ssl_shutdown_timeout",
        expected=f">= {HANDSHAKE_TIMEOUT}s",
        observed=f"{elapsed:.3f}s",
    )


def shutdown_timeout_default(net, loop, open_tls):
    """``open_tls`` leaves ssl_shutdown_timeout unset: after close(), a peer that does not answer
    the close_notify is still being waited for after DEFAULT_PROBE; once the peer drops the
    connection, connection_lost follows."""
    release = threading.Event()

    def script(p):
        first = _read_close_notify(p)
        release.wait(DEFAULT_PROBE + TIMEOUT)
        try:
            p.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return first

    transport, protocol, result = open_tls(script)
    try:
        net.run(protocol.received(1), what="the peer's byte over TLS")
        transport.close()
        net.run(asyncio.sleep(DEFAULT_PROBE), timeout=DEFAULT_PROBE + TIMEOUT)
        lost_early = protocol.lost.done()
    finally:
        release.set()
    expect(
        not lost_early,
        f"the TLS shutdown was cut off within {DEFAULT_PROBE:g}s although ssl_shutdown_timeout=None means 30 s",
        expected="still waiting for the peer's close_notify",
        observed="connection_lost already called",
    )
    net.run(protocol.lost, what="connection_lost after the peer dropped the connection")
    expect_equal(result(), "CleanClose", "what the peer read after close() (close_notify expected)")
