"""The pytest plugin as a user-facing entry point (loaded by ``loopconf.plugin``).

When someone runs the suites with plain ``pytest`` (inside a loop's own test suite, say),
this module makes that behave like ``loopconf run``:

- a loop must be named: ``--loopconf-loop SPEC`` or the ``LOOPCONF_LOOP`` environment variable.
  Running loopconf checks without one is refused with a clear error, instead of silently testing
  stock asyncio. ``LOOPCONF_LOOP`` activates the loopconf session exactly like the option, so
  version and platform gating apply either way;
- tests that are not loopconf checks are never deselected, skipped or changed;
- ``-k`` matches check IDs (each check's ID is one of its pytest keywords), and verbose output
  shows the check ID after each result;
- ``--loopconf-expect FILE`` applies an expectations file with the same rules as ``loopconf
  run`` (``loopconf.expectations.apply``): an expected deviation is reported as xfail, a listed
  check that passes as xpass (a failure with ``--loopconf-strict-expectations``); a failing
  SHOULD check gates only with ``--loopconf-strict``, an INFO check never, like the CLI's exit code.

Under ``loopconf run`` (``--loopconf-stream``) none of the verdict handling applies: the
runner judges the records itself.
"""

from __future__ import annotations

import json
import os
import platform
import sys

import pytest

from loopconf.checks import check_id_of, meta_of

ENV_LOOP = "LOOPCONF_LOOP"


def pytest_addoption(parser):
    group = parser.getgroup("loopconf", "loopconf conformance suite")
    group.addoption(
        "--loopconf-expect",
        dest="loopconf_expect",
        default=None,
        metavar="FILE",
        help="expectations file (TOML): listed deviations become xfail, as in `loopconf run --expect`",
    )
    group.addoption(
        "--loopconf-strict",
        dest="loopconf_strict",
        action="store_true",
        default=False,
        help="failing SHOULD checks fail the session (as `loopconf run --strict`)",
    )
    group.addoption(
        "--loopconf-strict-expectations",
        dest="loopconf_strict_expectations",
        action="store_true",
        default=False,
        help="a listed deviation that passes fails the session (XPASS strict)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Runs before ``loopconf.plugin``'s configure: the env variable counts as --loopconf-loop."""
    opt = config.option
    if not getattr(opt, "loopconf_loop", None) and os.environ.get(ENV_LOOP):
        opt.loopconf_loop = os.environ[ENV_LOOP]
    if getattr(opt, "loopconf_loop", None) and not getattr(opt, "loopconf_stream", None):
        config.pluginmanager.register(Gate(config), "loopconf-gate")


def pytest_itemcollected(item):
    """Make the check ID a keyword of its item, so ``-k delayed.call_later`` selects by ID."""
    cid = check_id_of(item)
    if cid:
        item.extra_keyword_matches.add(cid)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Refuse to run loopconf checks without a loop (after every other selection took place)."""
    opt = config.option
    if getattr(opt, "loopconf_loop", None) or opt.collectonly or getattr(opt, "loopconf_catalogue", None):
        return
    checks = [item for item in items if meta_of(item) is not None]
    if checks:
        raise pytest.UsageError(
            f"{len(checks)} loopconf check(s) selected (e.g. {checks[0].nodeid}) but no loop under test: "
            f"pass --loopconf-loop SPEC (e.g. --loopconf-loop mypkg:factory, or asyncio for stock asyncio) "
            f"or set {ENV_LOOP}"
        )


class Gate:
    """Verdicts for a standalone pytest session (see the module docstring)."""

    def __init__(self, config):
        from loopconf.expectations import ExpectationsError, load

        opt = config.option
        self.spec = opt.loopconf_loop
        self.strict = opt.loopconf_strict
        self.strict_expectations = opt.loopconf_strict_expectations
        self.expectations = []
        self.path = opt.loopconf_expect
        if self.path:
            try:
                self.expectations = load(self.path)
            except ExpectationsError as exc:
                raise pytest.UsageError(str(exc)) from None
        self._loop_info = None
        self.counts = {"regression": 0, "expected": 0, "unexpected-pass": 0, "non-strict": 0, "info": 0}

    def loop_info(self):
        """The loop under test as the expectations file matches it (spec, key and class)."""
        if self._loop_info is None:
            from loopconf.results import LoopInfo

            info = LoopInfo(key=self.spec, spec=self.spec)
            if any("." in e.loop or "*" in e.loop for e in self.expectations):
                try:
                    from loopconf.factory import probe

                    info.cls = probe(self.spec).get("class", "")
                except Exception:  # a broken factory fails every check on its own
                    pass
            self._loop_info = info
        return self._loop_info

    def verdict(self, check_id: str, meta: dict, outcome: str):
        """(verdict, reason) of one outcome, by the same rules as ``loopconf run``."""
        from loopconf.expectations import apply
        from loopconf.results import Result, Results

        info = self.loop_info()
        results = Results(
            run={"python": platform.python_version(), "sys_platform": sys.platform},
            loops=[info],
            checks={check_id: meta},
            results=[Result(loop=info.key, check_id=check_id, nodeid="", outcome=outcome)],
        )
        apply(results, self.expectations)
        r = results.results[0]
        return r.verdict, r.reason, r.expectation

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        data = next((json.loads(v) for k, v in report.user_properties if k == "loopconf"), None)
        if data is None or data["outcome"] == "skip" or report.skipped:
            return
        if data["outcome"] == "pass" and call.when != "call":
            return
        verdict, reason, listed = self.verdict(data["check_id"], data["meta"], data["outcome"])
        report.user_properties.append(("loopconf_verdict", verdict))
        cid = data["check_id"]
        if verdict == "expected":
            report.outcome = "skipped"
            report.wasxfail = f"{cid}: expected {data['outcome']}" + (f" ({reason})" if reason else "")
        elif verdict == "unexpected-pass":
            text = f"{cid}: listed as expected {listed}, but it passed; remove the entry from {self.path}"
            if self.strict_expectations:
                report.outcome = "failed"
                report.longrepr = f"[XPASS(strict)] {text}"
            else:
                report.outcome = "passed"
                report.wasxfail = text
        elif (verdict == "non-strict" and not self.strict) or verdict == "info":
            why = (
                "SHOULD check: gates only with --loopconf-strict"
                if verdict == "non-strict"
                else "INFO check: never gates"
            )
            report.outcome = "skipped"
            report.wasxfail = f"{cid}: {data['outcome']} ({why}): {data['message']}"

    @pytest.hookimpl(hookwrapper=True)
    def pytest_report_teststatus(self, report, config):
        """Verbose lines name the check ID: ``sec_02_calls.py::test_x PASSED [calls.call_soon.fifo]``."""
        outcome = yield
        result = outcome.get_result()
        if not result or not result[2]:
            return
        data = next((json.loads(v) for k, v in getattr(report, "user_properties", ()) if k == "loopconf"), None)
        if data is None or not data.get("check_id"):
            return
        category, letter, word = result
        if isinstance(word, tuple):
            word = (f"{word[0]} [{data['check_id']}]", word[1])
        else:
            word = f"{word} [{data['check_id']}]"
        outcome.force_result((category, letter, word))

    def pytest_runtest_logreport(self, report):
        for key, value in report.user_properties:
            if key == "loopconf_verdict" and value in self.counts:
                self.counts[value] += 1

    def pytest_terminal_summary(self, terminalreporter):
        if not self.expectations and not any(self.counts.values()):
            return
        c = self.counts
        terminalreporter.write_line(
            f"loopconf ({self.spec}): regressions {c['regression']}, expected {c['expected']}, "
            f"unexpected passes {c['unexpected-pass']}, non-gating SHOULD {c['non-strict']}, INFO {c['info']}"
            + (f" (expectations: {self.path})" if self.path else "")
        )
