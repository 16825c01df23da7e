"""Standalone reproducers for the deviations listed in reports/*/deviations.md (no loopconf needed).

    python repro.py LOOP CHECK_ID    every case reproducing that check (e.g. calls.call_soon.returns_handle)
    python repro.py LOOP CASE        one case by its short name (as quoted in deviations.md, e.g. handles)
    python repro.py --list           check ID -> cases

LOOP is `asyncio` or module:factory (e.g. uvloop:new_event_loop). Each case is a few lines using only
the loop and the standard library; it prints what it saw. Run it with `asyncio` for the stock behaviour
and with the loop's factory for the deviation. Each case runs on a fresh loop; cases that need more
loops take the factory as a second argument.
"""

import asyncio
import concurrent.futures
import gc
import importlib
import inspect
import logging
import os
import signal
import socket
import sys
import tempfile
import threading
import time

CASES = {}  # check ID -> [case functions reproducing it], in file order
BY_NAME = {}  # short case name (the function name without "case_") -> case function


def case(*check_ids):
    """Register a reproducer under the check IDs whose deviation it shows."""

    def register(function):
        function.check_ids = check_ids
        BY_NAME[function.__name__.removeprefix("case_")] = function
        for check_id in check_ids:
            CASES.setdefault(check_id, []).append(function)
        return function

    return register


def make_factory(spec):
    if spec == "asyncio":
        return asyncio.new_event_loop
    mod, _, attr = spec.partition(":")
    obj = importlib.import_module(mod)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


@case("calls.call_soon.returns_handle", "delayed.call_later.returns_timerhandle", "delayed.call_at.returns_timerhandle")
def case_handles(loop):
    h, t = loop.call_soon(print), loop.call_later(0, print)
    a = loop.call_at(loop.time() + 1, print)
    print(
        "call_soon -> asyncio.Handle:",
        isinstance(h, asyncio.Handle),
        "| call_later(0) -> TimerHandle:",
        isinstance(t, asyncio.TimerHandle),
        "has when():",
        hasattr(t, "when"),
        "| call_at -> TimerHandle:",
        isinstance(a, asyncio.TimerHandle),
    )
    for x in (h, t, a):
        x.cancel()


@case("calls.call_soon.cancel", "handle.cancelled.reports")
def case_cancel(loop):
    ran = []
    h = loop.call_soon(ran.append, "cancelled")
    h.cancel()
    loop.call_soon(ran.append, "other")
    loop.call_soon(loop.stop)
    loop.run_forever()
    print("ran:", ran, "| handle.cancelled():", getattr(h, "cancelled", lambda: "no cancelled()")())


@case("running.stop.current_batch_completes", "running.stop.scheduled_by_batch_deferred")
def case_stop(loop):
    ran = []

    def first():
        ran.append("first")
        loop.call_soon(ran.append, "scheduled-by-first")
        loop.stop()

    def second():
        ran.append("second")
        loop.call_soon(ran.append, "scheduled-by-second")

    loop.call_soon(first)
    loop.call_soon(second)
    loop.run_forever()
    print("ran in the run that stop() ended:", ran)


@case("running.stop.before_run_forever_runs_ready", "running.stop.before_run_forever_exits_promptly")
def case_stop_before_run(loop):
    ran = []
    loop.call_soon(ran.append, "ready")
    loop.stop()
    loop.call_later(1, loop.stop)  # safety net
    t0 = loop.time()
    loop.run_forever()
    print("stop() before run_forever: ran", ran, f"| run_forever returned after {loop.time() - t0:.2f} s")


@case("servers.create_server.returns_server", "connections.create_connection.returns_pair")
def case_types(loop):
    async def main():
        srv = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        tr, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
        print(
            "server is AbstractServer:",
            isinstance(srv, asyncio.AbstractServer),
            "| transport is BaseTransport:",
            isinstance(tr, asyncio.BaseTransport),
        )
        tr.close()
        srv.close()
        await asyncio.sleep(0.05)

    loop.run_until_complete(main())


@case("subprocess.subprocess_exec.returns_transport_protocol")
def case_subprocess_types(loop):
    async def main():
        tr, _ = await loop.subprocess_exec(asyncio.SubprocessProtocol, sys.executable, "-c", "pass")
        print(
            "SubprocessTransport:",
            isinstance(tr, asyncio.SubprocessTransport),
            "| pipe 0 is WriteTransport:",
            isinstance(tr.get_pipe_transport(0), asyncio.WriteTransport),
        )
        tr.close()
        await asyncio.sleep(0.1)

    loop.run_until_complete(main())


@case(
    "fdwatch.remove_reader.returns_false",
    "fdwatch.remove_reader.returns_true",
    "fdwatch.remove_writer.returns_false",
    "fdwatch.remove_writer.returns_true",
)
def case_remove(loop):
    r, w = socket.socketpair()
    loop.add_reader(r, print)
    loop.add_writer(w, print)
    print(
        "remove_reader(watched):",
        loop.remove_reader(r),
        "| again:",
        loop.remove_reader(r),
        "| remove_writer(watched):",
        loop.remove_writer(w),
        "| again:",
        loop.remove_writer(w),
    )
    r.close()
    w.close()


@case(
    "signals.add_signal_handler.runs_callback",
    "signals.remove_signal_handler.restores_default",
    "signals.add_signal_handler.off_main_thread",
)
def case_signals(loop):
    seen = []
    try:
        loop.add_signal_handler(signal.SIGUSR1, lambda *a: seen.append(a), "a", 2)
    except Exception as e:
        print("add_signal_handler:", type(e).__name__, e)
        return
    os.kill(os.getpid(), signal.SIGUSR1)  # sent before run_forever
    loop.call_later(0.3, loop.stop)
    loop.run_forever()
    print(
        "delivered:",
        seen,
        "| remove_signal_handler:",
        loop.remove_signal_handler(signal.SIGUSR1),
        "| SIGUSR1 disposition now:",
        signal.getsignal(signal.SIGUSR1),
    )

    def off():
        try:
            loop.add_signal_handler(signal.SIGUSR2, print)
            print("off main thread: accepted")
            loop.remove_signal_handler(signal.SIGUSR2)
        except Exception as e:
            print("off main thread:", type(e).__name__)

    t = threading.Thread(target=off)
    t.start()
    t.join()


@case(
    "sockets.sock_sendfile.returns_total",
    "sockets.sock_recvfrom.returns_data_and_address",
    "sockets.sock_sendto.sends_datagram",
)
def case_missing(loop):
    a, b = socket.socketpair()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.setblocking(False)
    a.setblocking(False)
    with open(__file__, "rb") as f:
        for name, make in [
            ("sock_sendfile", lambda: loop.sock_sendfile(a, f)),
            ("sock_recvfrom", lambda: loop.sock_recvfrom(u, 10)),
            ("sock_sendto", lambda: loop.sock_sendto(u, b"x", u.getsockname())),
        ]:
            try:
                loop.run_until_complete(asyncio.wait_for(make(), 0.5))
                print(name, "ok")
            except NotImplementedError:
                print(name, "NotImplementedError")
            except asyncio.TimeoutError:
                print(name, "implemented (waits)")
            except Exception as e:
                print(name, type(e).__name__, e)
    print("loop.sendfile overridden:", type(loop).sendfile is not asyncio.AbstractEventLoop.sendfile)
    a.close()
    b.close()
    u.close()


@case("connections.create_connection.factory_once")
def case_factory_early(loop):
    calls = []

    async def main():
        try:
            await loop.create_connection(lambda: calls.append(1) or asyncio.Protocol(), "127.0.0.1", 1)
        except OSError as e:
            print("refused:", type(e).__name__)

    loop.run_until_complete(main())
    print("protocol_factory calls on a refused connection:", len(calls))


@case(
    "connections.create_connection.happy_eyeballs",
    "connections.create_datagram_endpoint.reuse_address_rejected",
    "executor.set_default_executor.rejects_non_thread_pool",
)
def case_newapi(loop):
    async def main():
        srv = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        try:
            tr, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port, happy_eyeballs_delay=0.25)
            tr.close()
            print("happy_eyeballs_delay: accepted")
        except TypeError as e:
            print("happy_eyeballs_delay: TypeError", e)
        for value in (True, False):
            try:
                tr, _ = await loop.create_datagram_endpoint(
                    asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0), reuse_address=value
                )
                tr.close()
                print(f"reuse_address={value}: accepted")
            except Exception as e:
                print(f"reuse_address={value}:", type(e).__name__)
        srv.close()

    loop.run_until_complete(main())
    ex = concurrent.futures.ProcessPoolExecutor()
    try:
        loop.set_default_executor(ex)
        print("ProcessPoolExecutor as default executor: accepted")
    except TypeError:
        print("ProcessPoolExecutor as default executor: TypeError")
    ex.shutdown()


@case("connections.create_datagram_endpoint.unix", "connections.create_unix_connection.abstract")
def case_unix(loop):
    d = tempfile.mkdtemp(dir="/tmp")

    async def main():
        try:
            tr, _ = await loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, local_addr=os.path.join(d, "s"), family=socket.AF_UNIX
            )
            tr.close()
            print("AF_UNIX datagram, path local_addr: ok")
        except Exception as e:
            print("AF_UNIX datagram, path local_addr:", type(e).__name__, e)
        name = f"\0repro-{os.getpid()}"
        srv = await loop.create_unix_server(asyncio.Protocol, name)
        try:
            tr, _ = await loop.create_unix_connection(asyncio.Protocol, name)
            tr.close()
            print("abstract-namespace unix connection: ok")
        except Exception as e:
            print("abstract-namespace unix connection:", type(e).__name__, e)
        srv.close()

    loop.run_until_complete(main())


@case("subprocess.subprocess_shell.rejects_non_string", "subprocess.subprocess_shell.rejects_arguments")
def case_shell_list(loop):
    async def main():
        try:
            tr, _ = await loop.subprocess_shell(asyncio.SubprocessProtocol, ["echo", "x"])
            print("subprocess_shell(list): accepted")
            tr.close()
        except Exception as e:
            print("subprocess_shell(list):", type(e).__name__)
        for kw in ({"text": True}, {"encoding": "utf-8"}, {"shell": False}):
            try:
                tr, _ = await loop.subprocess_shell(asyncio.SubprocessProtocol, "true", **kw)
                print(f"subprocess_shell(**{kw}): accepted")
                tr.close()
            except Exception as e:
                print(f"subprocess_shell(**{kw}):", type(e).__name__)
        await asyncio.sleep(0.1)

    loop.run_until_complete(main())


@case("running.close.releases_resources")
def case_fdleak(loop, factory):
    # `loop` is made before the baseline (libraries may open process-wide fds once); measure new loops.
    loop.run_until_complete(asyncio.sleep(0))
    fds = lambda: set(os.listdir("/proc/self/fd"))
    base = fds()
    made = []
    for _ in range(3):
        lp = factory()
        lp.run_until_complete(asyncio.sleep(0))
        lp.close()
        made.append(lp)
    print("fds left open by 3 x (new loop, run, close):", len(fds() - base))
    del made, lp
    gc.collect()
    print("... after dropping them and gc.collect():", len(fds() - base))


@case("running.close.methods_after_close_raise")
def case_closed(loop):
    loop.close()
    for name, call in [
        ("call_soon", lambda: loop.call_soon(print)),
        ("call_later", lambda: loop.call_later(1, print)),
        ("run_forever", loop.run_forever),
    ]:
        try:
            call()
            print(f"{name} on a closed loop: accepted")
        except RuntimeError:
            print(f"{name} on a closed loop: RuntimeError")
        except Exception as e:
            print(f"{name} on a closed loop:", type(e).__name__, e)


@case("server.close.stops_listening")
def case_server_close(loop):
    async def main():
        srv = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
        addr = srv.sockets[0].getsockname()
        srv.close()
        await asyncio.wait_for(srv.wait_closed(), 2)
        await asyncio.sleep(0.05)
        s = socket.socket()
        s.settimeout(1)
        try:
            s.connect(addr)
            print("connect after Server.close(): accepted by the kernel")
        except OSError as e:
            print("connect after Server.close():", type(e).__name__)
        s.close()

    loop.run_until_complete(main())


@case("errors.set_exception_handler.called_with_loop_and_context")
def case_errors(loop):
    calls = []
    loop.set_exception_handler(lambda lp, ctx: calls.append(sorted(ctx)))

    def boom():
        raise ZeroDivisionError("boom")

    loop.call_soon(boom)
    loop.call_soon(loop.stop)
    loop.run_forever()
    print("exception handler calls for a failing call_soon callback:", calls)


@case("debug.set_debug.round_trip")
def case_debug(loop):
    loop.set_debug(True)
    print("get_debug() after set_debug(True):", loop.get_debug())


@case("pipes.connect_read_pipe.extra_info_pipe")
def case_pipe_extra(loop):
    r, w = os.pipe()

    async def main():
        tr, _ = await loop.connect_read_pipe(asyncio.Protocol, os.fdopen(r, "rb"))
        try:
            print("read pipe get_extra_info('pipe'):", tr.get_extra_info("pipe"))
        except Exception as e:
            print("read pipe get_extra_info('pipe'):", type(e).__name__, e)
        tr.close()
        await asyncio.sleep(0.01)

    loop.run_until_complete(main())
    os.close(w)


@case("tasks.set_task_factory.rejects_non_callable")
def case_task_factory(loop):
    try:
        loop.set_task_factory(42)
        print("set_task_factory(42): accepted")
    except TypeError:
        print("set_task_factory(42): TypeError")


@case("errors.set_exception_handler.rejects_non_callable")
def case_exc_handler_type(loop):
    try:
        loop.set_exception_handler(42)
        print("set_exception_handler(42): accepted")
    except TypeError:
        print("set_exception_handler(42): TypeError")


@case("running.is_running.status")
def case_lifecycle(loop):
    print("new loop: is_running()", loop.is_running(), "is_closed()", loop.is_closed())
    loop.run_until_complete(asyncio.sleep(0))
    print("after run_until_complete: is_running()", loop.is_running())
    loop.close()
    print("after close(): is_running()", loop.is_running(), "is_closed()", loop.is_closed())


@case("running.close.drops_pending")
def case_close_pending(loop):
    ran = []
    loop.call_soon(ran.append, "pending")
    loop.close()
    print("callbacks run by close():", ran)


@case("calls.call_soon_threadsafe.returns_handle")
def case_threadsafe_handle(loop):
    h = loop.call_soon_threadsafe(print)
    print("call_soon_threadsafe -> asyncio.Handle:", isinstance(h, asyncio.Handle), type(h).__name__)
    if h is not None:
        h.cancel()


@case("executor.set_default_executor.used_for_none", "executor.run_in_executor.uses_given_executor")
def case_executor(loop):
    ex = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="mine")
    loop.set_default_executor(ex)

    def thread_name():
        return threading.current_thread().name

    name = loop.run_until_complete(asyncio.wait_for(loop.run_in_executor(None, thread_name), 2))
    print("run_in_executor(None) ran in:", name)
    name = loop.run_until_complete(asyncio.wait_for(loop.run_in_executor(ex, thread_name), 2))
    print("run_in_executor(ex) ran in:", name)
    ex.shutdown()


@case("executor.close.default_executor_not_awaited")
def case_threads_after_close(loop):
    before = set(threading.enumerate())
    loop.run_until_complete(asyncio.wait_for(loop.getaddrinfo("127.0.0.1", 80), 5))
    loop.close()
    print("threads alive after close():", sorted(t.name for t in set(threading.enumerate()) - before))


@case("calls.call_soon_threadsafe.wakes_loop")
def case_threadsafe_wake(loop):
    got = []

    def worker():
        time.sleep(0.2)
        loop.call_soon_threadsafe(got.append, "from thread")

    threading.Thread(target=worker).start()
    loop.call_later(5, loop.stop)  # 5 s by the loop's clock
    loop.call_soon(lambda: None)

    def poll():
        if got:
            loop.stop()
        else:
            loop.call_later(0.01, poll)

    loop.call_soon(poll)
    t0 = time.monotonic()
    loop.run_forever()
    print("callback from another thread ran:", got, f"| real seconds waited: {time.monotonic() - t0:.2f}")


@case("delayed.call_later.real_time_not_early")
def case_real_time(loop):
    t0, l0 = time.monotonic(), loop.time()
    loop.run_until_complete(asyncio.sleep(1))
    print(f"asyncio.sleep(1): loop.time() advanced {loop.time() - l0:.2f} s, real time {time.monotonic() - t0:.2f} s")


@case("resolution.getaddrinfo.matches_socket", "subprocess.subprocess_exec.returns_transport_protocol")
def case_real_io(loop):
    for name, call in [
        ("getaddrinfo", lambda: loop.getaddrinfo("127.0.0.1", 80)),
        ("subprocess_exec", lambda: loop.subprocess_exec(asyncio.SubprocessProtocol, "true")),
        ("create_connection to a real listening socket", None),
    ]:
        if call is None:
            srv = socket.socket()
            srv.bind(("127.0.0.1", 0))
            srv.listen()
            call = lambda srv=srv: loop.create_connection(asyncio.Protocol, *srv.getsockname())
        try:
            loop.run_until_complete(asyncio.wait_for(call(), 2))
            print(name, "ok")
        except Exception as e:
            print(name, "->", type(e).__name__, e)


@case("delayed.call_later.not_early")
def case_timer_early(loop):
    early = []
    for delay in (0.0105, 0.0207, 0.0333):
        t0 = loop.time()
        loop.call_later(delay, lambda t0=t0, d=delay: early.append(round(t0 + d - loop.time(), 6)))
    loop.run_until_complete(asyncio.sleep(0.1))
    print("seconds each timer fired BEFORE its deadline (<= 0 is fine):", early)


@case("errors.get_exception_handler.returns_handler", "errors.call_exception_handler.default_when_unset")
def case_handler_roundtrip(loop):
    def handler(lp, ctx):
        pass

    loop.set_exception_handler(handler)
    print("get_exception_handler() is the handler set:", loop.get_exception_handler() is handler)
    loop.set_exception_handler(None)
    loop.call_exception_handler({"message": "hello from call_exception_handler"})
    print("(default handler: the message above must appear on the asyncio logger)")


@case("errors.handler.not_called_for_normal_callbacks", "connections.create_connection.abort")
def case_close_errors(loop):
    calls = []
    loop.set_exception_handler(lambda lp, ctx: calls.append(ctx.get("message")))
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen()

    async def main():
        tr, _ = await loop.create_connection(asyncio.Protocol, *lsock.getsockname())
        peer, _ = lsock.accept()
        tr.abort()
        await asyncio.sleep(0.2)
        peer.close()

    loop.run_until_complete(main())
    print("exception handler calls after transport.abort():", calls)
    lsock.close()


@case("sendfile.sendfile.fallback_when_unavailable")
def case_sendfile_fallback(loop):
    a, b = socket.socketpair()

    async def main():
        tr, _ = await loop.create_connection(asyncio.Protocol, sock=a)
        with open(__file__, "rb") as f:
            try:
                n = await asyncio.wait_for(loop.sendfile(tr, f), 2)
                print("sendfile (fallback=True) sent", n, "bytes")
            except Exception as e:
                print("sendfile (fallback=True):", type(e).__name__, str(e)[:80])
        tr.close()
        await asyncio.sleep(0.05)

    loop.run_until_complete(main())
    b.close()


@case("sockets.sock_recv.returns_bytes")
def case_sock_recv_type(loop):
    a, b = socket.socketpair()
    a.setblocking(False)
    r = loop.sock_recv(a, 10)
    print("sock_recv returns:", type(r).__name__, "| asyncio.iscoroutine:", asyncio.iscoroutine(r))
    try:
        t = loop.create_task(r)
        t.cancel()
        loop.run_until_complete(asyncio.sleep(0))
    except Exception as e:
        print("create_task(sock_recv(...)):", type(e).__name__, e)
    a.close()
    b.close()


@case("running.run_forever.reentrant_raises")
def case_reentrant(loop):
    async def main():
        try:
            loop.run_forever()
            print("run_forever inside the running loop: accepted")
        except RuntimeError:
            print("run_forever inside the running loop: RuntimeError")

    loop.run_until_complete(main())


@case("running.close.releases_resources")
def case_fdleak_handler_context(loop, factory):
    # FP-7: a loop that frees its fds only when collected, kept alive by a recorded handler context.
    loop.run_until_complete(asyncio.sleep(0))
    fds = lambda: set(os.listdir("/proc/self/fd"))
    base = fds()
    calls = []
    lp = factory()
    lp.set_exception_handler(lambda _loop, ctx: calls.append(ctx))

    def boom():
        raise ValueError("boom")

    lp.call_soon(boom)
    lp.call_soon(lp.stop)
    lp.run_forever()
    lp.close()
    del lp
    gc.collect()
    print("context keys:", sorted(calls[0]), "| fds open after close, del, gc.collect():", len(fds() - base))
    calls.clear()
    gc.collect()
    print("... after dropping the recorded context and gc.collect():", len(fds() - base))


@case(
    "fdwatch.add_reader.calls_with_args",
    "servers.create_server.returns_server",
    "subprocess.subprocess_exec.returns_transport_protocol",
)
def case_base_api(loop):
    # add_reader/add_writer with and without *args; BaseEventLoop-level methods (servers, subprocesses).
    a, b = socket.socketpair()
    for args in ((), ("x", 2)):
        try:
            loop.add_reader(a.fileno(), print, *args)
            loop.remove_reader(a.fileno())
            print(f"add_reader(fd, cb, *{args}): ok")
        except Exception as e:
            print(f"add_reader(fd, cb, *{args}):", type(e).__name__, e)
    a.close()
    b.close()

    async def server():
        srv = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
        srv.close()
        await srv.wait_closed()

    async def subproc():
        tr, _ = await loop.subprocess_exec(asyncio.SubprocessProtocol, sys.executable, "-c", "pass")
        tr.close()

    for name, coro in (("create_server", server), ("subprocess_exec", subproc)):
        try:
            loop.run_until_complete(asyncio.wait_for(coro(), 5))
            print(name + ": ok")
        except Exception as e:
            print(name + ":", type(e).__name__, e)


@case("running.close.releases_resources")
def case_first_use_fds(loop, factory):
    # FP-1b: fds a library opens once per process when its first loop RUNS or first installs a signal
    # handler (the warm-up loop loopconf makes is closed without running). Counts stay flat afterwards.
    fds = lambda: set(os.listdir("/proc/self/fd"))
    loop.close()
    gc.collect()
    base = fds()
    for kind in ("run", "run", "signal", "signal", "run"):
        lp = factory()
        if kind == "signal":
            lp.add_signal_handler(signal.SIGUSR1, lambda: None)
            lp.call_soon(os.kill, os.getpid(), signal.SIGUSR1)
            lp.call_later(0.05, lp.stop)
            lp.run_forever()
            lp.remove_signal_handler(signal.SIGUSR1)
        else:
            lp.run_until_complete(asyncio.sleep(0.01))
        lp.close()
        del lp
        gc.collect()
        print(f"after a loop that used {kind}: fds open since the first (unrun) loop: {len(fds() - base)}")


def cases_for(key):
    """The cases a command-line key names: a check ID (a [parameter] suffix is ignored) or a case name."""
    if key in BY_NAME:
        return [BY_NAME[key]]
    return CASES.get(key) or CASES.get(key.split("[", 1)[0], [])


def run_case(function, factory):
    """Run one case on a fresh loop made by factory, closing the loop afterwards."""
    loop = factory()
    try:
        if len(inspect.signature(function).parameters) == 2:
            function(loop, factory)
        else:
            function(loop)
    finally:
        if not loop.is_closed():
            try:
                loop.close()
            except Exception as exc:
                print("close() failed:", type(exc).__name__, exc)


def main(argv):
    if argv == ["--list"]:
        for check_id in sorted(CASES):
            print(check_id, "->", ", ".join(f.__name__.removeprefix("case_") for f in CASES[check_id]))
        return 0
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    spec, key = argv
    functions = cases_for(key)
    if not functions:
        print(f"no reproducer for {key!r} (python repro.py --list)", file=sys.stderr)
        return 2
    factory = make_factory(spec)
    for function in functions:
        if len(functions) > 1:
            print(f"-- {function.__name__.removeprefix('case_')}")
        run_case(function, factory)
    return 0


if __name__ == "__main__":
    logging.basicConfig()
    sys.exit(main(sys.argv[1:]))
