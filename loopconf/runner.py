"""Drive the suites against each loop, in processes of that loop's own.

The process running ``loopconf`` never imports a loop under test. For each ``--loop`` it

1. probes the factory in a throwaway process (``python -m loopconf.probe``);
2. runs pytest on the suites in a child process (pytest-xdist workers with ``-n``), which
   streams one JSON record per finished check;
3. if that process dies with checks left (``-n 0`` and a segfault or a hang), records the
   check it died in as ``crash``/``timeout`` and starts a new process for the rest.

Every check of the catalogue ends with exactly one record per loop, whatever happens.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from loopconf import cache, crashes
from loopconf.attribution import apply_mode
from loopconf.results import LoopInfo, Result
from loopconf.wire import DEFAULT_INVARIANTS, Opt, death_record, reproduce_prefix, reproducer

PYTEST_BASE = [
    "-p",
    "no:faulthandler",
    # pytest's logging plugin keeps a check's log records (and through a logged exception, the
    # loop) until after teardown, where the fixture looks for leaked fds: a loop that frees its fds
    # only when collected was charged with a leak (FALSE_POSITIVES.md FP-7b). The checks capture
    # logs with their own handlers (suites/_support/logcapture.py).
    "-p",
    "no:logging",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:asyncio",
    "-q",
    "-o",
    "console_output_style=classic",
]


@dataclasses.dataclass
class Selection:
    checks: list = dataclasses.field(default_factory=list)
    sections: list = dataclasses.field(default_factory=list)
    keyword: str = ""
    #: keep the hygiene probes whatever else is selected (attributed mode compares against them)
    with_hygiene: bool = False

    def pytest_args(self) -> list:
        args = []
        for c in self.checks:
            args += [Opt.CHECK, c]
        for s in self.sections:
            args += [Opt.SECTION, s]
        if self.keyword:
            args += ["-k", f"({self.keyword}) or hygiene" if self.with_hygiene else self.keyword]
        if self.with_hygiene:
            args.append(Opt.WITH_HYGIENE)
        return args


@dataclasses.dataclass
class RunConfig:
    selection: Selection
    workers: str = "auto"
    timeout: float = 10.0
    hypothesis_profile: str = "default"
    log_dir: str = ""
    allow_threads: list = dataclasses.field(default_factory=list)
    invariants: str = DEFAULT_INVARIANTS  # attributed | strict | off (loopconf.attribution)


def suites_dir() -> pathlib.Path:
    import suites

    return pathlib.Path(suites.__file__).resolve().parent


def _pytest_cmd(extra: list, files: list | None = None) -> list:
    """pytest over the suites; ``files`` (relative to the suites folder) narrows what is imported."""
    root = suites_dir()
    return [
        sys.executable,
        "-m",
        "pytest",
        *([str(root / f) for f in files] if files else [str(root)]),
        "--rootdir",
        str(root),
        "-c",
        str(root / "pytest.ini"),
        *PYTEST_BASE,
        *extra,
    ]


def _env(config: RunConfig | None = None) -> dict:
    env = dict(os.environ)
    cwd = os.getcwd()
    env["PYTHONPATH"] = cwd + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if config is not None:
        env["LOOPCONF_HYPOTHESIS_PROFILE"] = config.hypothesis_profile
    _bytecode_cache(env)
    return env


def _bytecode_cache(env: dict) -> None:
    """Keep the suite processes' bytecode in loopconf's cache folder, never beside the sources.

    Each suite process imports the suites, loopconf and Hypothesis through pytest's assertion
    rewriter (Hypothesis ships a pytest plugin, so pytest rewrites its whole package). Without a
    place to write the rewritten bytecode every process (the catalogue's, each worker) redoes that
    work: about a second of CPU per process. ``PYTHONPYCACHEPREFIX`` sends all bytecode (pytest's
    rewritten modules too) to ``pycache`` in ``loopconf.cache.cache_dir()``, so no ``__pycache__``
    appears in the user's tree. A prefix the user set is kept; with the cache off
    (``LOOPCONF_CACHE_DIR=off``) no bytecode is written at all (loopconf 0.1 behaviour).
    """
    if env.get("PYTHONPYCACHEPREFIX"):
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return
    root = cache.cache_dir(env)
    if root is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return
    env["PYTHONPYCACHEPREFIX"] = os.path.join(root, "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)


class CatalogueError(Exception):
    """The suites could not be collected: a bug in loopconf (exit code 3)."""


def collect(selection: Selection) -> list:
    """The selected checks: [{nodeid, check_id, meta, not_applicable}] in suite order."""
    with tempfile.TemporaryDirectory(prefix="loopconf-") as tmp:
        path = os.path.join(tmp, "catalogue.json")
        cmd = _pytest_cmd(["--collect-only", Opt.CATALOGUE, path, *selection.pytest_args()])
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), stdin=subprocess.DEVNULL)
        if proc.returncode not in (0, 5):
            # A suite module that fails to import must never shrink the catalogue silently.
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            raise CatalogueError("collecting the suites failed:\n" + "\n".join(tail))
        if not os.path.exists(path):
            if proc.returncode == 5:
                return []
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            raise CatalogueError("collecting the suites failed:\n" + "\n".join(tail))
        with open(path) as f:
            return json.load(f)


#: spec -> whether the probe's warm-up run came through (``loopconf.probe``); the run processes
#: warm their workers up with a run of the loop only then (``loopconf.fixtures``).
_WARM_RUN: dict = {}


def probe(spec: str, timeout: float = 120.0) -> LoopInfo:
    """Validate a loop spec in a throwaway process; a bad factory becomes status factory-error."""
    info = LoopInfo(key=spec, spec=spec)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "loopconf.probe", spec],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_env(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        info.status, info.error = "factory-error", f"--loop {spec!r}: the factory did not return within {timeout:g}s"
        return info
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    identity = [line for line in out if "factory" in line]
    if not identity:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        if proc.returncode < 0:
            reason = f"--loop {spec!r}: the factory crashed the process (signal {-proc.returncode})"
        else:
            reason = lines[-1] if lines else f"--loop {spec!r}: probing the factory failed (exit {proc.returncode})"
        info.status, info.error = "factory-error", reason
        return info
    # The factory is fine; whether the workers may warm up by running a loop is the probe's second
    # line (absent when the loop hung or crashed the probe on its first run).
    _WARM_RUN[spec] = any(line.get("warm_run") for line in out)
    data = identity[-1]
    info.factory, info.cls, info.version = data["factory"], data["class"], data["version"]
    for warning in data.get("warnings", []):
        print(f"loopconf: warning: {warning}", file=sys.stderr)
    return info


def run_loop(
    info: LoopInfo,
    catalogue: list,
    config: RunConfig,
    on_result: Callable[[Result], None] = lambda r: None,
    loop_findings: list | None = None,
) -> list:
    """Run the catalogue against one loop; return one Result per catalogue entry.

    Once every check is recorded, the findings are judged under ``config.invariants``
    (``loopconf.attribution``); the loop-wide findings are appended to ``loop_findings``.
    ``on_result`` sees each record as it arrives, before that judgement.
    """
    by_node = {entry["nodeid"]: entry for entry in catalogue}
    done: dict = {}
    started = time.monotonic()
    prefix = reproduce_prefix(info.spec, config.invariants)

    def record(rec: dict) -> None:
        nodeid = rec["nodeid"]
        if nodeid in done or nodeid not in by_node:
            return
        entry = by_node[nodeid]
        result = Result(
            loop=info.key,
            check_id=entry["check_id"],
            nodeid=nodeid,
            outcome=rec["outcome"],
            message=rec.get("message") or "",
            expected=rec.get("expected"),
            observed=rec.get("observed"),
            traceback=rec.get("traceback") or "",
            duration=round(rec.get("duration") or 0.0, 4),
            reproducer=rec.get("reproducer") or reproducer(prefix, entry["check_id"]),
            findings=list(rec.get("findings") or []),
            blocked_by=rec.get("blocked_by") or "",
        )
        done[nodeid] = result
        on_result(result)

    with tempfile.TemporaryDirectory(prefix="loopconf-run-") as tmp:
        stream = os.path.join(tmp, "stream.jsonl")
        state = os.path.join(tmp, "state")
        exclude = os.path.join(tmp, "exclude.txt")
        log_path = os.path.join(config.log_dir or tmp, f"pytest-{_safe(info.key)}.log")
        for attempt in range(len(catalogue) + 1):  # noqa: B007
            remaining = [n for n in by_node if n not in done]
            if not remaining:
                break
            with open(exclude, "w") as f:
                f.write("\n".join(done))
            selected = [*config.selection.pytest_args(), Opt.EXCLUDE, exclude]
            # worksteal: an idle worker takes pending checks from a busy one, so no worker idles
            # while another still has a queue (checks differ in length by three orders of magnitude)
            count = _worker_count(config.workers, len(remaining))
            workers = (
                []
                if count == "0"
                else ["-n", count, "--dist", "worksteal", "--max-worker-restart", str(len(catalogue) + 4)]
            )
            allowed = [arg for glob in config.allow_threads for arg in (Opt.ALLOW_THREAD, glob)]
            cmd = _pytest_cmd(
                [
                    *workers,
                    *selected,
                    *allowed,
                    Opt.LOOP,
                    info.spec,
                    Opt.STREAM,
                    stream,
                    Opt.STATE,
                    state,
                    Opt.TIMEOUT,
                    f"{config.timeout:g}",
                    Opt.REPRODUCE,
                    prefix,
                    Opt.INVARIANTS,
                    "off",
                    *([Opt.WARM_RUN] if _WARM_RUN.get(info.spec) else []),
                ],
                files=_files_of(remaining),
            )
            before = len(done)
            with open(log_path, "a") as log:
                log.write(f"$ {shlex.join(cmd)}\n")
                log.flush()
                proc = subprocess.Popen(
                    cmd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=_env(config),
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
                try:
                    _follow(
                        proc,
                        stream,
                        record,
                        all_done=lambda: len(done) == len(by_node),
                        stall_limit=max(120.0, 3 * config.timeout),
                    )
                except BaseException:  # Ctrl-C: the suite runs in its own session, end it too
                    _kill(proc)
                    raise
            for nodeid, outcome, evidence in crashes.classify(state):
                if nodeid in by_node and nodeid not in done:
                    record(
                        death_record(
                            nodeid, outcome, crashes.death_message(outcome, config.timeout, evidence), evidence
                        )
                    )
            if len(done) == before:
                # No progress at all: the suite process itself is broken. Account for the rest.
                tail = _tail(log_path)
                for nodeid in by_node:
                    if nodeid not in done:
                        record(
                            death_record(
                                nodeid,
                                "error",
                                f"the suite process exited ({proc.returncode}) before running this check",
                                tail,
                            )
                        )
                break
    info.duration = round(time.monotonic() - started, 3)
    results = [done[n] for n in by_node if n in done]
    wide = apply_mode(results, info.key, config.invariants)
    if loop_findings is not None:
        loop_findings.extend(wide)
    return results


def _worker_count(workers, checks: int) -> str:
    """``-n`` for ``checks`` checks: never more workers than checks (each costs a process start)."""
    text = str(workers)
    return str(min(int(text), checks)) if text.isdigit() else text


def _files_of(nodeids: list) -> list:
    """The suite files holding ``nodeids``, in suite order: each process imports only those.

    The selection and exclude options still pick the checks; naming the files only spares every
    process importing (and collecting) the modules none of the checks left to run is in, e.g.
    Hypothesis and the model-based suites for a one-check reproducer.
    """
    return list(dict.fromkeys(nodeid.split("::", 1)[0] for nodeid in nodeids))


def _follow(
    proc: subprocess.Popen, stream: str, record: Callable, all_done: Callable[[], bool], stall_limit: float
) -> None:
    """Feed the stream's records to ``record`` while ``proc`` runs, then drain it.

    The suite process is ended when it stalls: no record for ``stall_limit`` seconds (each check
    has its own watchdog, so a stall means the harness itself hangs, e.g. a worker that never
    starts), or still alive 10 s after every check was recorded (e.g. a thread the loop left
    behind blocks interpreter exit). The caller then accounts for what is left.
    """
    offset = 0
    buffer = ""
    last_record = time.monotonic()
    finished_at = None

    def drain():
        nonlocal offset, buffer, last_record
        if not os.path.exists(stream):
            return
        with open(stream) as f:
            f.seek(offset)
            chunk = f.read()
            offset = f.tell()
        buffer += chunk
        *lines, buffer = buffer.split("\n")
        for line in lines:
            if line.strip():
                rec = json.loads(line)
                last_record = time.monotonic()
                if rec.get("type") == "check":
                    record(rec)

    while proc.poll() is None:
        drain()
        now = time.monotonic()
        if finished_at is None and all_done():
            finished_at = now
        if now - last_record > stall_limit or (finished_at is not None and now - finished_at > 10):
            _kill(proc)
            break
        time.sleep(0.1)
    drain()


def _kill(proc: subprocess.Popen) -> None:
    """End the suite process and its xdist workers (they share its process group)."""
    try:
        os.killpg(proc.pid, 9)
    except OSError:
        proc.kill()
    proc.wait()


def _tail(path: str, lines: int = 30) -> str:
    try:
        with open(path) as f:
            return "\n".join(f.read().splitlines()[-lines:])
    except OSError:
        return ""


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in key)[:80]
