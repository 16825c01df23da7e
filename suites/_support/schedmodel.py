"""Model-based scheduling checks: random programs, run on the loop, traces judged by the rules.

A *program* is a list of rounds. Each round is a list of actions performed outside the loop,
followed by one ``run_forever()`` that a terminator timer ends. Actions register callbacks
(call_soon, call_soon_threadsafe from the loop thread or from a short-lived helper thread,
call_later, call_at), cancel an earlier handle, or call stop(). Each callback, when it runs,
records itself and performs its own (nested) actions. After the rounds, drain rounds run until
every callback the rules say must run has run.

:func:`violations` is a pure-Python model of the documented rules (19.5.1.1-19.5.1.3): it reads
the trace and lists every rule the loop broke. It does not simulate the loop: it only accepts or
rejects the observed trace, so it holds for any conforming loop, however it batches its work.
"""

from __future__ import annotations

import functools
import os
import threading
import time

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from .limits import CLOCK_SLACK  # noqa: F401 - re-exported for the model suites
from .sched import run_forever_bounded

#: Hypothesis profile: LOOPCONF_HYPOTHESIS_PROFILE=default (fast) or thorough.
PROFILES = {"default": 60, "thorough": 400}
#: Generated programs per scheduling check on top of its explicit example plans.
GENERATED = {"default": 12, "thorough": 400}
#: The fixed seed of the generated programs. ``derandomize`` would seed from a hash of the test's
#: source, so that editing the file would change the programs; a fixed seed does not.
SEED = 20191


def profile() -> str:
    name = os.environ.get("LOOPCONF_HYPOTHESIS_PROFILE", "default")
    if name not in PROFILES:
        raise ValueError(f"LOOPCONF_HYPOTHESIS_PROFILE={name!r}: expected one of {sorted(PROFILES)}")
    return name


def model_settings():
    profile_name = profile()
    return settings(
        max_examples=PROFILES[profile_name],
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# No negative delays: what a timer set in the past does is not documented (INFO-level
# delayed.*.past_deadline, spec note timer-due-undocumented), and these checks are MUST.
DELAYS = (0.0, 0.001, 0.002, 0.004, 0.007)
ORDER_GAP = 1e-4  # deadlines closer than this are not ordered by the model
FUTURE = 0.001  # deadline order is judged only for timers at least this far in the future


def programs(*, timers: bool, stops: bool, depth: int = 2, max_rounds: int = 3):
    """Strategy for programs; ``timers``/``stops`` enable call_later/call_at and stop()."""

    def actions(level):
        children = st.just(()) if level == 0 else st.lists(actions(level - 1), max_size=3).map(tuple)
        options = [
            st.tuples(st.just("soon"), children),
            st.tuples(st.just("threadsafe"), children),
            st.tuples(st.just("thread"), st.lists(children, min_size=1, max_size=3).map(tuple)),
            st.tuples(st.just("cancel"), st.integers(0, 40)),
        ]
        if timers:
            options += [
                st.tuples(st.just("later"), st.sampled_from(DELAYS), children),
                st.tuples(st.just("at"), st.sampled_from(DELAYS), children),
            ]
        if stops:
            options.append(st.just(("stop",)))
        return st.one_of(options)

    return st.lists(st.lists(actions(depth), max_size=6).map(tuple), min_size=1, max_size=max_rounds).map(tuple)


class Runner:
    """Runs a program on a loop and records the trace (a list of event tuples)."""

    def __init__(self, loop, round_time: float):
        self.loop = loop
        self.round_time = round_time
        self.trace = []
        self.handles = []  # (cid, handle) in registration order
        self.current = "outside"  # who is performing actions now
        self.next_id = 0
        self._end = None  # the queued end of the current round
        self._round_open = False

    # -- actions ---------------------------------------------------------------------------
    def perform(self, action, group_prefix="loop"):
        kind = action[0]
        loop = self.loop
        if kind == "cancel":
            if self.handles:
                cid, handle = self.handles[action[1] % len(self.handles)]
                self.trace.append(("cancel", cid))
                handle.cancel()
            return
        if kind == "stop":
            self.trace.append(("stop", self.current))
            loop.stop()
            return
        if kind == "thread":
            token = f"thread{self.next_id}"
            self.next_id += 1
            thread = threading.Thread(target=self._from_thread, args=(token, action[1]), name="loopconf-model")
            thread.start()
            thread.join()
            return
        cid = self.next_id
        self.next_id += 1
        callback = functools.partial(self._run, cid, action[-1])
        before, mono_before = loop.time(), time.monotonic()
        if kind == "soon":
            self.trace.append(("register", cid, "soon", "soon", self.current, None, None, None))
            handle = loop.call_soon(callback)
            self.trace.append(("returned", cid))
        elif kind == "threadsafe":
            self.trace.append(("register", cid, "threadsafe", "ts-" + group_prefix, self.current, None, None, None))
            handle = loop.call_soon_threadsafe(callback)
            self.trace.append(("returned", cid))
        elif kind == "later":
            delay = action[1]
            handle = loop.call_later(delay, callback)
            after, mono = loop.time(), (mono_before + delay, time.monotonic() + delay)
            self.trace.append(
                ("register", cid, "timer", None, self.current, (before + delay, after + delay), delay, mono)
            )
        else:  # "at"
            delay = action[1]
            when = before + delay
            handle = loop.call_at(when, callback)
            mono = (mono_before + delay, time.monotonic() + delay)
            self.trace.append(("register", cid, "timer", None, self.current, (when, when), delay, mono))
        self.handles.append((cid, handle))

    def _from_thread(self, token, children_list):
        for children in children_list:
            self.perform(("threadsafe", children), group_prefix=token)

    def _run(self, cid, children):
        self.trace.append(("run", cid, self.loop.time()))
        outer, self.current = self.current, cid
        try:
            for action in children:
                self.perform(action)
        finally:
            self.current = outer
        if not pending(self.trace):
            self._request_end()

    # -- rounds ----------------------------------------------------------------------------
    # A round ends when nothing registered is pending any more (the last callback to run asks
    # for the end), or after ``round_time`` at the latest (so timers can stay pending across
    # runs). The end is always a stop() made by a callback on the ready queue, queued with
    # call_soon: never by a timer callback itself, so that where a timer's deadline falls
    # relative to the round's end (which depends on the machine's load) cannot decide whether
    # the stop() rules are put to the test. Programs that call stop() themselves do that.
    def _request_end(self):
        if self._end is None and self._round_open:
            self._end = self.loop.call_soon(self._terminate)

    def _terminate(self):
        self.trace.append(("stop", "terminator"))
        self.loop.stop()

    def _round(self, index, actions, round_time):
        for action in actions:
            self.perform(action)
        self._end = None
        self._round_open = True
        backstop = self.loop.call_later(round_time, self._request_end)
        if not pending(self.trace):
            self._request_end()
        self.trace.append(("start", index))
        try:
            run_forever_bounded(self.loop)
        finally:
            self._round_open = False
            backstop.cancel()
            if self._end is not None:
                self._end.cancel()
            self.trace.append(("end", index))

    def run(self, program, max_drains: int = 40):
        for index, actions in enumerate(program):
            self._round(index, actions, self.round_time)
        for extra in range(max_drains):
            if not pending(self.trace):
                return True
            events = len(self.trace)
            self._round(len(program) + extra, (), self.round_time * 2)
            if not any(event[0] == "run" for event in self.trace[events:]):
                # Nothing ran in a whole drain run: a conforming loop always runs something (the
                # next pending timer is due before the drain's backstop), so what is still
                # pending never will be; more drains would only burn the check's time.
                break
        return not pending(self.trace)


def _index(trace):
    reg, runs, cancels, returned = {}, {}, {}, {}
    round_of = None
    starts = {}
    for pos, event in enumerate(trace):
        kind = event[0]
        if kind == "start":
            round_of = event[1]
            starts[round_of] = pos
        elif kind == "end":
            round_of = None
        elif kind == "register":
            _, cid, ckind, group, by, when, delay, mono = event
            reg[cid] = {
                "pos": pos,
                "kind": ckind,
                "group": group,
                "by": by,
                "when": when,
                "delay": delay,
                "mono": mono,
                "round": round_of,
            }
        elif kind == "run":
            runs.setdefault(event[1], []).append({"pos": pos, "time": event[2], "round": round_of})
        elif kind == "cancel":
            cancels.setdefault(event[1], pos)
        elif kind == "returned":
            returned[event[1]] = pos
    return reg, runs, cancels, starts, returned


def pending(trace) -> list:
    """Callbacks registered, never run, and not cancelled: the rules say they must still run."""
    reg, runs, cancels, _, _ = _index(trace)
    return [cid for cid in reg if cid not in runs and cid not in cancels]


def violations(trace) -> list[str]:
    """Every documented rule the trace breaks (empty list: the trace is allowed).

    The trace must end with the drain runs: a callback neither run nor cancelled by then
    counts as never run.
    """
    problems = []
    reg, runs, cancels, starts, returned = _index(trace)
    for cid, info in reg.items():
        got = runs.get(cid, [])
        cancel = cancels.get(cid)
        if len(got) > 1:
            problems.append(f"exactly-once: callback {cid} ran {len(got)} times")
        if got and got[0]["pos"] < info["pos"]:
            problems.append(f"exactly-once: callback {cid} ran before it was registered")
        if got and cid in returned and got[0]["pos"] < returned[cid]:
            problems.append(f"after-return: callback {cid} ran before call_soon returned")
        if got and cancel is not None and cancel < got[0]["pos"]:
            problems.append(f"cancel: callback {cid} ran after its handle was cancelled")
        if not got and cancel is None:  # still pending after all the drain runs
            problems.append(
                f"exactly-once: callback {cid} ({info['kind']}) never ran (still pending after the drain runs)"
            )
        if got and info["kind"] == "timer" and got[0]["time"] < info["when"][0] - CLOCK_SLACK:
            problems.append(
                f"timer-early: callback {cid} ran {info['when'][0] - got[0]['time']:.6f}s before its deadline"
            )
    # FIFO per registration queue (call_soon; call_soon_threadsafe per registering thread).
    groups = {}
    for cid, info in sorted(reg.items(), key=lambda item: item[1]["pos"]):
        if info["group"] and cid in runs:
            groups.setdefault(info["group"], []).append(cid)
    for group, cids in groups.items():
        order = [runs[c][0]["pos"] for c in cids]
        if order != sorted(order):
            ran = [c for _, c in sorted(zip(order, cids))]
            problems.append(f"fifo: {group} callbacks registered as {cids} ran as {ran}")
    # Distinct future deadlines run in deadline order. A pair is judged only when its order is
    # certain both on the loop's clock (time() around the registration) and on the monotonic clock:
    # a loop whose time() reads a value cached at the start of the iteration (uvloop) computes
    # call_later deadlines from a fresher clock than the one time() showed, so load alone would
    # decide the verdict (the clock itself is judged by delayed.time.current_in_callback).
    timers = [
        (cid, info) for cid, info in reg.items() if info["kind"] == "timer" and cid in runs and info["delay"] >= FUTURE
    ]
    for a, ia in timers:
        for b, ib in timers:
            if (
                ia["when"][1] < ib["when"][0] - ORDER_GAP
                and ia["mono"][1] < ib["mono"][0] - ORDER_GAP
                and ia["pos"] < runs[b][0]["pos"]
                and runs[a][0]["pos"] > runs[b][0]["pos"]
            ):
                problems.append(f"timer-order: timer {b} (deadline later) ran before timer {a}")
    # stop(): nothing registered after the stop call (or by the stopper) runs in that run;
    # a stop from a callback of the first batch lets that whole batch run.
    round_at = {}
    current = None
    for pos, event in enumerate(trace):
        if event[0] == "start":
            current = event[1]
        elif event[0] == "end":
            current = None
        round_at[pos] = current
    for pos, event in enumerate(trace):
        if event[0] != "stop":
            continue
        stopper = event[1]
        if stopper == "terminator":
            # The round's own end: when it comes, relative to the program's timers, depends on
            # the machine's load, so what it reveals is not decidable run after run. The stop()
            # rules are judged on the programs' own stop() calls (model.running.trace) and by
            # the deterministic checks (running.stop.*, delayed.*.stop_defers_scheduled).
            continue
        rnd = round_at[pos]
        if rnd is None:  # stop() before run_forever: applies to the next run
            rnd = next((r for r, start in sorted(starts.items()) if start > pos), None)
            if rnd is None:
                continue
        start = starts[rnd]
        for cid, info in reg.items():
            got = runs.get(cid)
            if not got or got[0]["round"] != rnd:
                continue
            if info["pos"] > max(pos, start) or (info["by"] == stopper and info["pos"] > start):
                problems.append(
                    f"stop-batch: callback {cid}, scheduled after stop() "
                    f"(by {stopper}) in run {rnd}, ran in that same run"
                )
        first_batch = round_at[pos] is None or (
            stopper in reg and reg[stopper]["kind"] != "timer" and reg[stopper]["pos"] < start
        )
        if first_batch:
            for cid, info in reg.items():
                if info["kind"] == "timer" or info["pos"] > start:
                    continue
                got = runs.get(cid)
                if got and got[0]["pos"] < start:
                    continue  # ran in an earlier run
                cancel = cancels.get(cid)
                if cancel is not None and (not got or cancel < got[0]["pos"]):
                    continue  # cancelled before it could run
                if not got or got[0]["round"] != rnd:
                    problems.append(
                        f"stop-batch: callback {cid}, queued before run {rnd} began, "
                        f"did not run in it although stop() came from its first batch"
                    )
    return problems
