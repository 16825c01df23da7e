"""Every broken loop in tests/broken/ is reported exactly as its ``@breaks`` says, and stock
asyncio passes every check a broken loop names (the checks can fail, and only when broken)."""

import collections
import fnmatch

import pytest

from loopconf.plugin import matches_check
from tests.broken._registry import discover, undeclared
from tests.support import run_checks

LOOPS = discover()
STOCK = "asyncio:SelectorEventLoop"


def _param(loop):
    unmet = [b.unmet() for b in loop.declared if b.unmet()]
    marks = [] if loop.applicable() else [pytest.mark.skip(reason="declared for " + "; ".join(unmet))]
    return pytest.param(loop, id=loop.id, marks=marks)


def _judge(records, patterns, outcome, may_skip):
    """Problems with ``records`` where each check matching ``patterns`` should end as ``outcome``."""
    problems = []
    for pattern in patterns:
        matched = {cid: rec for cid, rec in records.items() if matches_check(cid, [pattern])}
        if not matched:
            problems.append(f"{pattern}: did not run")
        for cid, rec in sorted(matched.items()):
            got, message = rec["outcome"], rec.get("message") or ""
            if got == "skip" and any(fnmatch.fnmatchcase(cid, g) for g in may_skip):
                continue
            if got != outcome:
                problems.append(f"{cid}: expected {outcome}, got {got}: {message[:300]}")
            elif outcome == "fail" and message.startswith("invariant broken"):
                problems.append(f"{cid}: failed only on an invariant, not on its requirement: {message[:300]}")
    return problems


def _patterns(declared):
    return sorted({p for b in declared for p in b.checks + b.keeps})


@pytest.mark.parametrize("loop", [_param(loop) for loop in LOOPS])
def test_broken_loop_is_flagged_on_what_it_breaks(loop):
    declared = loop.applicable()
    records = run_checks(loop.spec, *_patterns(declared))
    problems = []
    for b in declared:
        # keeps= wins over a glob in checks (e.g. every sendfile check but is_coroutine is missing)
        broken = {cid: r for cid, r in records.items() if not matches_check(cid, b.keeps)}
        problems += _judge(broken, b.checks, b.outcome, b.may_skip)
        problems += _judge(records, b.keeps, "pass", b.may_skip)
    assert not problems, f"{loop.spec}:\n  " + "\n  ".join(problems)


def _by_module():
    modules = collections.defaultdict(list)
    for loop in LOOPS:
        modules[loop.module].extend(loop.applicable())
    return {module: declared for module, declared in modules.items() if declared}


STOCK_CASES = _by_module()


@pytest.mark.parametrize("module", sorted(STOCK_CASES))
def test_stock_loop_passes_what_the_broken_loops_break(module):
    """Control: on the unbroken SelectorEventLoop every check named in ``module`` passes."""
    declared = STOCK_CASES[module]
    records = run_checks(STOCK, *_patterns(declared))
    problems = []
    for b in declared:
        problems += _judge(records, b.checks + b.keeps, "pass", b.may_skip)
    assert not problems, f"{STOCK} ({module}):\n  " + "\n  ".join(sorted(set(problems)))


def test_every_broken_loop_says_what_it_breaks():
    assert undeclared() == [], "add @breaks(...) to these classes (tests/broken/__init__.py)"
