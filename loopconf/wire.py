"""The one wire between the runner (``loopconf.runner``) and the pytest plugin (``loopconf.plugin``).

Both sides import their shared vocabulary from here and nowhere else:

- the pytest option names the runner passes and the plugin declares (:class:`Opt`);
- the outcome of a check (:class:`Outcome`);
- the record constructors for the JSON-lines stream the plugin writes and the runner follows
  (:func:`check_record`, :func:`death_record`, :func:`collected_record`) and its version;
- :func:`reproducer`, the one command line that replays one check.
"""

from __future__ import annotations

import enum
import shlex

#: Version of the JSON-lines stream (bumped with results schema 2: findings, blocked_by).
STREAM_VERSION = 2


class Opt:
    """pytest option names of the loopconf plugin (flag as given on the command line)."""

    LOOP = "--loopconf-loop"
    CHECK = "--loopconf-check"
    SECTION = "--loopconf-section"
    EXCLUDE = "--loopconf-exclude"
    STREAM = "--loopconf-stream"
    STATE = "--loopconf-state"
    TIMEOUT = "--loopconf-timeout"
    ALLOW_THREAD = "--loopconf-allow-thread"
    CATALOGUE = "--loopconf-catalogue"
    REPRODUCE = "--loopconf-reproduce"
    INVARIANTS = "--loopconf-invariants"
    WITH_HYGIENE = "--loopconf-with-hygiene"
    WARM_RUN = "--loopconf-warm-run"

    @staticmethod
    def dest(flag: str) -> str:
        """The argparse destination of a flag: ``--loopconf-loop`` -> ``loopconf_loop``."""
        return flag.lstrip("-").replace("-", "_")


class Outcome(str, enum.Enum):
    """What happened to one check (see ``loopconf.outcomes`` for the meaning of each)."""

    PASS = "pass"
    FAIL = "fail"
    MISSING = "missing"
    SKIP = "skip"
    BLOCKED = "blocked"
    TIMEOUT = "timeout"
    CRASH = "crash"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


OUTCOMES = tuple(o.value for o in Outcome)

#: Invariant modes (``--invariants``): how findings after a check affect outcomes.
INVARIANT_MODES = ("attributed", "strict", "off")
DEFAULT_INVARIANTS = "attributed"


def reproduce_prefix(spec: str, invariants: str = DEFAULT_INVARIANTS) -> str:
    """``loopconf run`` naming the loop (and a non-default invariant mode)."""
    mode = "" if invariants == DEFAULT_INVARIANTS else f" --invariants {invariants}"
    return f"loopconf run --loop {shlex.quote(spec)}{mode}"


def reproducer(prefix: str, check_id: str) -> str:
    """The command that replays one check in one process (``prefix`` from :func:`reproduce_prefix`)."""
    return f"{prefix} --check {shlex.quote(check_id)} -n 0"


def check_record(
    nodeid: str,
    check_id: str | None,
    meta: dict | None,
    *,
    outcome: str | None = None,
    message: str = "",
    expected=None,
    observed=None,
    traceback: str = "",
    duration: float = 0.0,
    findings: list | None = None,
    blocked_by: str = "",
) -> dict:
    """One finished check as streamed by the plugin."""
    return {
        "type": "check",
        "v": STREAM_VERSION,
        "nodeid": nodeid,
        "check_id": check_id,
        "meta": meta,
        "outcome": outcome,
        "message": message,
        "expected": expected,
        "observed": observed,
        "traceback": traceback,
        "duration": duration,
        "findings": list(findings or []),
        "blocked_by": blocked_by,
    }


def death_record(
    nodeid: str, outcome: str, message: str, evidence: str, *, check_id=None, meta=None, duration: float = 0.0
) -> dict:
    """A check whose process died (``crash``) or was ended by the watchdog (``timeout``)."""
    return check_record(nodeid, check_id, meta, outcome=outcome, message=message, traceback=evidence, duration=duration)


def collected_record(count: int) -> dict:
    return {"type": "collected", "v": STREAM_VERSION, "count": count}
