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

import pytest

from loopconf import crashes
from loopconf.checks import check_id_of, meta_of
from loopconf.outcomes import classify_exception, combine

STREAM_VERSION = 1

# The user-facing side (loop required, -k over check IDs, --loopconf-expect): loopconf.plugin_gate.
pytest_plugins = ["loopconf.plugin_gate"]


def pytest_addoption(parser):
    group = parser.getgroup("loopconf", "loopconf conformance suite")
    group.addoption("--loopconf-loop", dest="loopconf_loop", default=None,
                    help="loop factory under test: module:attr or asyncio/reference/uvloop")
    group.addoption("--loopconf-check", dest="loopconf_check", action="append", default=[],
                    help="run only checks whose ID matches (glob; base ID matches all parameters)")
    group.addoption("--loopconf-section", dest="loopconf_section", action="append", default=[],
                    help="run only checks of this spec section (e.g. 19.5.1.2)")
    group.addoption("--loopconf-exclude", dest="loopconf_exclude", default=None,
                    help="file of pytest node IDs not to run (already recorded)")
    group.addoption("--loopconf-stream", dest="loopconf_stream", default=None,
                    help="append one JSON record per finished check to this file")
    group.addoption("--loopconf-state", dest="loopconf_state", default=None,
                    help="folder for per-worker crash and timeout evidence")
    group.addoption("--loopconf-timeout", dest="loopconf_timeout", type=float, default=None,
                    help="seconds a single check may take before it is a timeout")
    group.addoption("--loopconf-allow-thread", dest="loopconf_allow_thread", action="append", default=[],
                    help="thread name glob exempt from the leaked-thread invariant (a loop's own pool)")
    group.addoption("--loopconf-catalogue", dest="loopconf_catalogue", default=None,
                    help="with --collect-only: write the selected checks' metadata to this JSON file")
    group.addoption("--loopconf-reproduce", dest="loopconf_reproduce", default="",
                    help="command prefix used to build each record's reproducer")


def pytest_configure(config):
    config.addinivalue_line("markers", "loopconf(meta): a loopconf conformance check (see loopconf.checks)")
    if _active(config):
        config.pluginmanager.register(LoopconfSession(config), "loopconf-session")


def _active(config) -> bool:
    opt = config.option
    return any(getattr(opt, name, None) for name in ("loopconf_loop", "loopconf_stream", "loopconf_state",
                                                   "loopconf_catalogue"))


def matches_check(check_id: str, patterns) -> bool:
    """An exact ID (with or without its parameter) or a glob over IDs; '[' in an exact ID is literal."""
    base = check_id.split("[", 1)[0]
    return any(p in (check_id, base) or fnmatch.fnmatchcase(check_id, p) or fnmatch.fnmatchcase(base, p)
               for p in patterns)


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
            if (
                item.nodeid in excluded
                or (self.opt.loopconf_check and not matches_check(cid, self.opt.loopconf_check))
                or (self.opt.loopconf_section and not matches_section(meta.section, self.opt.loopconf_section))
            ):
                drop.append(item)
                continue
            reason = meta.applies()
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
            keep.append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
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
            entries.append({"nodeid": item.nodeid, "check_id": check_id_of(item),
                            "meta": meta.to_dict(), "not_applicable": meta.applies()})
        with open(path, "w") as f:
            json.dump(entries, f)

    def pytest_xdist_node_collection_finished(self, node, ids):
        self._announce(len(ids))

    def _announce(self, count):
        if not self.announced:
            self.announced = True
            self._emit({"type": "collected", "count": count})

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
        if report.skipped:
            kind = "skip"
            message = _skip_reason(report)
            expected = observed = None
        elif call.excinfo is not None:
            exc = call.excinfo.value
            kind, message = classify_exception(exc, call.when)
            expected = _jsonable(getattr(exc, "expected", None))
            observed = _jsonable(getattr(exc, "observed", None))
        else:
            kind, message, expected, observed = "pass", "", None, None
        data = {"when": call.when, "outcome": kind, "message": message,
                "expected": expected, "observed": observed,
                "check_id": check_id_of(item), "meta": meta.to_dict(),
                "duration": call.duration}
        report.user_properties.append(("loopconf", json.dumps(data, default=repr)))

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
        rec = self.pending.setdefault(report.nodeid, {
            "type": "check", "nodeid": report.nodeid, "check_id": data["check_id"],
            "meta": data["meta"], "outcome": None, "message": "", "expected": None,
            "observed": None, "traceback": "", "duration": 0.0,
        })
        rec["duration"] += data["duration"] or 0.0
        if data["when"] == "teardown" and data["outcome"] == "skip":
            data["outcome"] = "pass"
        new = combine(rec["outcome"], data["outcome"])
        if new != rec["outcome"] or (rec["outcome"] in (None, "pass") and data["outcome"] != "pass"):
            rec["outcome"] = new
            if data["outcome"] != "pass" and (data["message"] or not rec["message"]):
                rec["message"] = data["message"]
                rec["expected"], rec["observed"] = data["expected"], data["observed"]
                if data["outcome"] in ("fail", "error", "missing"):
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
        rec = {"type": "check", "nodeid": nodeid, "check_id": prior.get("check_id"),
               "meta": meta, "outcome": kind, "message": message, "expected": None,
               "observed": None, "traceback": evidence, "duration": prior.get("duration", 0.0)}
        self._emit(rec)

    def _finish(self, nodeid):
        rec = self.pending.pop(nodeid)
        rec["outcome"] = rec["outcome"] or "pass"
        self._emit(rec)

    def _emit(self, record):
        path = self.opt.loopconf_stream
        if not path:
            return
        if record.get("type") == "check":
            record["reproducer"] = reproducer(self.opt, record)
        record["time"] = time.time()
        with open(path, "a") as f:
            f.write(json.dumps(record, default=repr) + "\n")


def reproducer(opt, record) -> str:
    prefix = opt.loopconf_reproduce or f"loopconf run --loop {_shell(opt.loopconf_loop or 'asyncio')}"
    cid = record.get("check_id") or record.get("nodeid")
    return f"{prefix} --check {_shell(cid)} -n 0"


def _shell(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = longrepr[2]
        return reason[len("Skipped: "):] if reason.startswith("Skipped: ") else reason
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
