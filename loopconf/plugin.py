"""The loopconf pytest plugin (entry point ``pytest11``).

Inert in other projects' test sessions: it only adds options and the ``loopconf`` marker.
With ``--loopconf-loop`` (or when collecting the suites) it

- selects checks by ID / section (``--loopconf-check``, ``--loopconf-section``) and skips
  checks that do not apply to the running Python or platform;
- arms a per-check watchdog (``faulthandler.dump_traceback_later``) that dumps every thread's
  stack and ends the worker on a hang, so a hang becomes a ``timeout`` record;
- turns pytest's phase reports into one loopconf record per check (``loopconf.outcomes``) and
  appends it, as a JSON line, to ``--loopconf-stream`` as soon as the check ends. Under
  pytest-xdist the records are written by the controller; a crashed worker's check is
  classified as ``crash`` or ``timeout`` from the fault file the worker left behind.
"""

from __future__ import annotations

import faulthandler
import fnmatch
import json
import os
import time
import traceback as tb_module

import pytest

from loopconf import crashes
from loopconf.attribution import is_hygiene, judge_strict
from loopconf.checks import check_id_of, meta_of
from loopconf.outcomes import classify_exception, combine
from loopconf.wire import Opt, check_record, collected_record, death_record, reproduce_prefix, reproducer

# The user-facing side (loop required, -k over check IDs, --loopconf-expect): loopconf.plugin_gate.
pytest_plugins = ["loopconf.plugin_gate"]


def pytest_addoption(parser):
    group = parser.getgroup("loopconf", "loopconf conformance suite")
    add = group.addoption
    add(
        Opt.LOOP,
        dest=Opt.dest(Opt.LOOP),
        default=None,
        help="loop factory under test: module:attr or asyncio/reference/uvloop",
    )
    add(
        Opt.CHECK,
        dest=Opt.dest(Opt.CHECK),
        action="append",
        default=[],
        help="run only checks whose ID matches (glob; base ID matches all parameters)",
    )
    add(
        Opt.SECTION,
        dest=Opt.dest(Opt.SECTION),
        action="append",
        default=[],
        help="run only checks of this spec section (e.g. 19.5.1.2)",
    )
    add(
        Opt.EXCLUDE,
        dest=Opt.dest(Opt.EXCLUDE),
        default=None,
        help="file of pytest node IDs not to run (already recorded)",
    )
    add(
        Opt.STREAM,
        dest=Opt.dest(Opt.STREAM),
        default=None,
        help="append one JSON record per finished check to this file",
    )
    add(Opt.STATE, dest=Opt.dest(Opt.STATE), default=None, help="folder for per-worker crash and timeout evidence")
    add(
        Opt.TIMEOUT,
        dest=Opt.dest(Opt.TIMEOUT),
        type=float,
        default=None,
        help="seconds a single check may take before it is a timeout",
    )
    add(
        Opt.ALLOW_THREAD,
        dest=Opt.dest(Opt.ALLOW_THREAD),
        action="append",
        default=[],
        help="thread name glob exempt from the leaked-thread invariant (a loop's own pool)",
    )
    add(
        Opt.CATALOGUE,
        dest=Opt.dest(Opt.CATALOGUE),
        default=None,
        help="with --collect-only: write the selected checks' metadata to this JSON file",
    )
    add(
        Opt.REPRODUCE,
        dest=Opt.dest(Opt.REPRODUCE),
        default="",
        help="command prefix used to build each record's reproducer",
    )
    add(
        Opt.INVARIANTS,
        dest=Opt.dest(Opt.INVARIANTS),
        default="strict",
        choices=("strict", "off"),
        help="strict (default here): a finding fails a passing check; off: findings are only "
        "recorded (the runner then judges them, e.g. attributed mode)",
    )
    add(
        Opt.WARM_RUN,
        dest=Opt.dest(Opt.WARM_RUN),
        action="store_true",
        default=False,
        help="each worker runs a throwaway loop once (and adds a signal handler) before its first "
        "check; the runner sets it when its probe found that safe (no hang, no crash)",
    )
    add(
        Opt.WITH_HYGIENE,
        dest=Opt.dest(Opt.WITH_HYGIENE),
        action="store_true",
        default=False,
        help="keep the hygiene probes (hygiene.*) whatever --loopconf-check/--loopconf-section select",
    )


#: Checks that take far longer than the rest (model-based checks run many examples; the timeout
#: checks wait out a deadline; the not-early and does-not-block checks wait to see nothing happen).
#: Run first, so parallel workers never wait on one long check at the end.
LONG_CHECKS = ("model.*", "*.*timeout*", "*.*not_early*", "*.*does_not_block*")


def longest_first(items: list, lanes: int = 1) -> list:
    """``items`` with the long checks first, otherwise in collection (spec) order.

    pytest-xdist hands checks to workers in this order, so a long check met last would leave the
    other workers idle while it runs (the serial tail). Its ``worksteal`` mode first gives each of
    the ``lanes`` workers one contiguous share of the list (equal counts, in worker order) and
    later lets an idle worker take the *end* of a busy worker's queue. So with several lanes the
    long checks are dealt out in turn to the front of each share, the short ones fill the shares
    up: every worker starts on its part of the long checks and what is taken from it at the end is
    short. The order of records in the report does not depend on it.
    """

    def long(item) -> bool:
        cid = check_id_of(item) or ""
        return any(fnmatch.fnmatchcase(cid, pattern) for pattern in LONG_CHECKS)

    first = [i for i in items if long(i)]
    rest = [i for i in items if not long(i)]
    if lanes <= 1 or len(items) < 2 * lanes:
        return first + rest
    sizes, left = [], len(items)
    for lane in range(lanes):  # worksteal's split: each worker in turn gets left // workers_left
        sizes.append(left // (lanes - lane))
        left -= sizes[-1]
    shares = [first[lane::lanes] for lane in range(lanes)]
    if any(len(share) > size for share, size in zip(shares, sizes)):
        return first + rest  # mostly long checks: nothing to balance by position
    for share, size in zip(shares, sizes):
        want = size - len(share)
        share.extend(rest[:want])
        rest = rest[want:]
    return [item for share in shares for item in share]


def pytest_configure(config):
    config.addinivalue_line("markers", "loopconf(meta): a loopconf conformance check (see loopconf.checks)")
    if _active(config):
        config.pluginmanager.register(LoopconfSession(config), "loopconf-session")


def _active(config) -> bool:
    opt = config.option
    return any(
        getattr(opt, name, None)
        for name in ("loopconf_loop", "loopconf_stream", "loopconf_state", "loopconf_catalogue")
    )


def matches_check(check_id: str, patterns) -> bool:
    """An exact ID (with or without its parameter) or a glob over IDs; '[' in an exact ID is literal."""
    base = check_id.split("[", 1)[0]
    return any(
        p in (check_id, base) or fnmatch.fnmatchcase(check_id, p) or fnmatch.fnmatchcase(base, p) for p in patterns
    )


def matches_section(section: str, sections) -> bool:
    return any(section == s or section.startswith(s + ".") for s in sections)


class LoopconfSession:
    """Per-process state of a loopconf run (controller and workers alike)."""

    def __init__(self, config):
        self.config = config
        self.opt = config.option
        self.is_worker = hasattr(config, "workerinput")
        self.is_controller = bool(getattr(self.opt, "numprocesses", None)) and not self.is_worker
        self.pending: dict = {}
        self.announced = False
        self.fault_file = None
        self.current_path = None
        state = self.opt.loopconf_state
        if state and not self.is_controller:
            os.makedirs(state, exist_ok=True)
            pid = os.getpid()
            self.fault_file = open(os.path.join(state, f"fault-{pid}.txt"), "w")
            faulthandler.enable(file=self.fault_file, all_threads=True)
            self.current_path = os.path.join(state, f"current-{pid}.txt")

    # -- selection -------------------------------------------------------------------------
    def pytest_collection_modifyitems(self, config, items):
        excluded = set()
        if self.opt.loopconf_exclude and os.path.exists(self.opt.loopconf_exclude):
            with open(self.opt.loopconf_exclude) as f:
                excluded = {line.strip() for line in f if line.strip()}
        keep, drop = [], []
        for item in items:
            meta = meta_of(item)
            cid = check_id_of(item)
            if meta is None:  # not a loopconf check: never ours to deselect
                keep.append(item)
                continue
            pinned = self.opt.loopconf_with_hygiene and is_hygiene(cid)
            if (
                item.nodeid in excluded
                or (not pinned and self.opt.loopconf_check and not matches_check(cid, self.opt.loopconf_check))
                or (
                    not pinned
                    and self.opt.loopconf_section
                    and not matches_section(meta.section, self.opt.loopconf_section)
                )
            ):
                drop.append(item)
                continue
            reason = meta.applies()
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
            keep.append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        # the catalogue (--collect-only) keeps spec order; a run hands out the long checks first
        lanes = int(getattr(config, "workerinput", {}).get("workercount", 1) or 1)
        items[:] = keep if self.opt.loopconf_catalogue else longest_first(keep, lanes)
        if not self.is_worker:
            self._announce(len(items))

    def pytest_collection_finish(self, session):
        path = self.opt.loopconf_catalogue
        if not path or self.is_worker:
            return
        entries = []
        for item in session.items:
            meta = meta_of(item)
            if meta is None:
                continue
            entries.append(
                {
                    "nodeid": item.nodeid,
                    "check_id": check_id_of(item),
                    "meta": meta.to_dict(),
                    "not_applicable": meta.applies(),
                }
            )
        with open(path, "w") as f:
            json.dump(entries, f)

    def pytest_xdist_node_collection_finished(self, node, ids):
        self._announce(len(ids))

    def _announce(self, count):
        if not self.announced:
            self.announced = True
            self._emit(collected_record(count))

    # -- watchdog --------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        timeout = self.opt.loopconf_timeout
        if self.current_path:
            with open(self.current_path, "w") as f:
                f.write(item.nodeid)
        if timeout and self.fault_file:
            self.fault_file.seek(0)
            self.fault_file.truncate()
            self.fault_file.write(f"loopconf: {item.nodeid}\n")
            self.fault_file.flush()
            faulthandler.dump_traceback_later(timeout, exit=True, file=self.fault_file)
        try:
            yield
        finally:
            if timeout and self.fault_file:
                faulthandler.cancel_dump_traceback_later()
            if self.current_path:
                crashes.mark_finished(self.opt.loopconf_state, os.getpid())

    # -- outcome of each phase (runs where the check runs) ---------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        meta = meta_of(item)
        if meta is None:
            return
        blocked_by = ""
        if report.skipped:
            kind = "skip"
            message = _skip_reason(report)
            expected = observed = None
        elif call.excinfo is not None:
            exc = call.excinfo.value
            kind, message = classify_exception(exc, call.when)
            expected = _jsonable(getattr(exc, "expected", None))
            observed = _jsonable(getattr(exc, "observed", None))
            blocked_by = getattr(exc, "blocked_by", "") or ""
        else:
            kind, message, expected, observed = "pass", "", None, None
        findings = []
        if call.when == "teardown":
            findings = list(getattr(item, "loopconf_findings", None) or [])
        data = {
            "when": call.when,
            "outcome": kind,
            "message": message,
            "expected": expected,
            "observed": observed,
            "check_id": check_id_of(item),
            "meta": meta.to_dict(),
            "duration": call.duration,
            "findings": findings,
            "blocked_by": blocked_by,
        }
        report.user_properties.append(("loopconf", json.dumps(data, default=repr)))
        if call.when == "call" and call.excinfo is not None:
            _release_frames(call.excinfo)

    # -- aggregation into one record per check (controller, or the only process) -----------
    def pytest_runtest_logreport(self, report):
        if self.is_worker:
            return
        if report.when == "???":
            self._crashed(report)
            return
        data = next((json.loads(v) for k, v in report.user_properties if k == "loopconf"), None)
        if data is None:
            return
        rec = self.pending.setdefault(report.nodeid, check_record(report.nodeid, data["check_id"], data["meta"]))
        rec["duration"] += data["duration"] or 0.0
        rec["findings"] += data.get("findings") or []
        if data["when"] == "teardown" and data["outcome"] == "skip":
            data["outcome"] = "pass"
        new = combine(rec["outcome"], data["outcome"])
        if new != rec["outcome"] or (rec["outcome"] in (None, "pass") and data["outcome"] != "pass"):
            rec["outcome"] = new
            if data["outcome"] != "pass" and (data["message"] or not rec["message"]):
                rec["message"] = data["message"]
                rec["expected"], rec["observed"] = data["expected"], data["observed"]
                rec["blocked_by"] = data.get("blocked_by") or ""
                if data["outcome"] in ("fail", "error", "missing", "blocked"):
                    rec["traceback"] = _longrepr(report)
        if report.when == "teardown":
            self._finish(report.nodeid)

    def _crashed(self, report):
        nodeid = report.nodeid
        found = crashes.classify(self.opt.loopconf_state, nodeid)
        kind, evidence = (found[0][1], found[0][2]) if found else ("crash", "")
        prior = self.pending.pop(nodeid, None) or {}
        meta = prior.get("meta")
        message = crashes.death_message(kind, self.opt.loopconf_timeout, evidence)
        self._emit(
            death_record(
                nodeid,
                kind,
                message,
                evidence,
                check_id=prior.get("check_id"),
                meta=meta,
                duration=prior.get("duration", 0.0),
            )
        )

    def _finish(self, nodeid):
        rec = self.pending.pop(nodeid)
        rec["outcome"] = rec["outcome"] or "pass"
        if self.opt.loopconf_invariants == "strict":
            rec["outcome"], rec["message"] = judge_strict(rec["outcome"], rec["message"], rec["findings"])
        self._emit(rec)

    def _emit(self, record):
        path = self.opt.loopconf_stream
        if not path:
            return
        if record.get("type") == "check":
            prefix = self.opt.loopconf_reproduce or reproduce_prefix(self.opt.loopconf_loop or "asyncio", "strict")
            record["reproducer"] = reproducer(prefix, record.get("check_id") or record.get("nodeid"))
        record["time"] = time.time()
        with open(path, "a") as f:
            f.write(json.dumps(record, default=repr) + "\n")


def _release_frames(excinfo) -> None:
    """Clear the frames of a check's traceback once its report text is built.

    pytest keeps the exception (and ``sys.last_traceback``); their frames hold the check's locals,
    among them the loop, which would then outlive ``close()`` and show as a leak of a check that
    merely raised (NotImplementedError from a loop that frees its fds when collected).
    """
    import sys

    try:
        tb_module.clear_frames(excinfo.tb)
    except Exception:  # noqa: BLE001 - a frame still executing cannot be cleared; nothing to do
        pass
    for name in ("last_traceback", "last_value", "last_type", "last_exc"):
        if hasattr(sys, name):
            try:
                delattr(sys, name)
            except AttributeError:
                pass


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = longrepr[2]
        return reason[len("Skipped: ") :] if reason.startswith("Skipped: ") else reason
    return str(longrepr or "")


def _longrepr(report) -> str:
    try:
        return report.longreprtext
    except Exception:
        return str(report.longrepr or "")


def _jsonable(value):
    if value is None:
        return None
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)
