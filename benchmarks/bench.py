"""Side-by-side micro-benchmarks: reference_loop vs stock asyncio (vs uvloop if importable).

Run: ``python benchmarks/bench.py [--seconds S] [--rounds R]``. Each benchmark gives every
loop about S seconds (default 1.0), split into R interleaved rounds (default 3) so that
background load hits all loops alike; the best round counts. Reported: operations per second
and the ratio to stock asyncio.

- call_soon: 100 concurrent callback chains; every callback schedules its successor.
- call_later: 100 concurrent timer chains with delay 0; every timer schedules its successor.
- tcp_echo: one client sends a 100-byte message over 127.0.0.1 and awaits the echo; one
  operation is one round trip (protocol API: create_server / create_connection).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FANOUT = 100


def bench_call_soon(loop, seconds):
    count = 0
    deadline = time.monotonic() + seconds
    state = {"live": FANOUT}

    def tick():
        nonlocal count
        count += 1
        if count & 1023 == 0 and time.monotonic() >= deadline:
            state["done"] = True
        if state.get("done"):
            state["live"] -= 1
            if not state["live"]:
                loop.stop()
            return
        loop.call_soon(tick)

    started = time.perf_counter()
    for _ in range(FANOUT):
        loop.call_soon(tick)
    loop.run_forever()
    return count / (time.perf_counter() - started)


def bench_call_later(loop, seconds):
    count = 0
    deadline = time.monotonic() + seconds
    state = {"live": FANOUT}

    def tick():
        nonlocal count
        count += 1
        if count & 1023 == 0 and time.monotonic() >= deadline:
            state["done"] = True
        if state.get("done"):
            state["live"] -= 1
            if not state["live"]:
                loop.stop()
            return
        loop.call_later(0, tick)

    started = time.perf_counter()
    for _ in range(FANOUT):
        loop.call_later(0, tick)
    loop.run_forever()
    return count / (time.perf_counter() - started)


class _EchoServer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class _EchoClient(asyncio.Protocol):
    def __init__(self, loop):
        self.loop = loop
        self.waiter = None
        self.received = 0

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.received += len(data)
        if self.waiter is not None and self.received >= self.expected:
            self.waiter.set_result(None)
            self.waiter = None

    def roundtrip(self, payload):
        self.received = 0
        self.expected = len(payload)
        self.waiter = self.loop.create_future()
        self.transport.write(payload)
        return self.waiter


def bench_tcp_echo(loop, seconds):
    async def main():
        server = await loop.create_server(_EchoServer, "127.0.0.1", 0)
        try:
            port = server.sockets[0].getsockname()[1]
            transport, client = await loop.create_connection(lambda: _EchoClient(loop), "127.0.0.1", port)
            try:
                payload = b"x" * 100
                count = 0
                deadline = time.monotonic() + seconds
                started = time.perf_counter()
                while True:
                    await asyncio.wait_for(client.roundtrip(payload), 5)
                    count += 1
                    if count & 255 == 0 and time.monotonic() >= deadline:
                        break
                return count / (time.perf_counter() - started)
            finally:
                transport.close()
        finally:
            server.close()
            await server.wait_closed()

    return loop.run_until_complete(main())


BENCHMARKS = [("call_soon", bench_call_soon), ("call_later", bench_call_later), ("tcp_echo", bench_tcp_echo)]


def loop_factories():
    import reference_loop

    factories = [("reference", reference_loop.new_event_loop), ("asyncio", asyncio.SelectorEventLoop)]
    try:
        import uvloop
    except ImportError:
        pass
    else:
        factories.append(("uvloop", uvloop.new_event_loop))
    return factories


def run_one(factory, bench, seconds):
    loop = factory()
    try:
        return bench(loop, seconds)
    except NotImplementedError:
        return None
    finally:
        if not loop.is_closed():
            loop.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="duration per benchmark and loop")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best counts)")
    args = parser.parse_args(argv)
    factories = loop_factories()
    per_round = args.seconds / max(1, args.rounds)
    print(
        f"Python {sys.version.split()[0]}; {args.seconds:g} s per benchmark and loop, "
        f"best of {args.rounds} interleaved rounds"
    )
    print(f"{'benchmark':<12}" + "".join(f"{name:>28}" for name, _ in factories))
    for bench_name, bench in BENCHMARKS:
        results = {name: None for name, _ in factories}
        for _ in range(max(1, args.rounds)):
            for name, factory in factories:
                value = run_one(factory, bench, per_round)
                if value is not None and (results[name] is None or value > results[name]):
                    results[name] = value
        baseline = results.get("asyncio")
        cells = []
        for name, _ in factories:
            value = results[name]
            if value is None:
                cells.append(f"{'n/a':>28}")
            else:
                ratio = f"x{value / baseline:.2f}" if baseline else ""
                cells.append(f"{value:>14,.0f} ops/s {ratio:>7}")
        print(f"{bench_name:<12}" + "".join(cells))


if __name__ == "__main__":
    main()
