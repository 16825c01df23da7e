"""``python -m loopconf.probe SPEC``: validate a loop factory in a throwaway process.

Prints one JSON line (the loop's identity), then tries the workers' warm-up on a throwaway loop
(``loopconf.factory.first_use``: one run, one signal handler) under an alarm and prints a second
line ``{"warm_run": true}`` when it came through; exits 0. A bad factory: one error line, exit 2.
The runner calls this in a subprocess so that importing the loop never touches its own process,
and so that a loop which hangs or crashes when first run is found here, where it costs nothing:
the workers then skip the warm-up run instead of charging that hang or crash to their first check.
"""

import json
import signal
import sys

from loopconf.factory import FactoryError, first_use, make_loop, probe, quiet_close, resolve

#: Seconds the warm-up run may take before SIGALRM (default action: terminate) ends the probe.
WARM_RUN_LIMIT = 10


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m loopconf.probe SPEC", file=sys.stderr)
        return 2
    try:
        info = probe(argv[0])
    except FactoryError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(json.dumps(info))
    sys.stdout.flush()
    if hasattr(signal, "alarm"):
        warm_run(argv[0])
        print(json.dumps({"warm_run": True}))
        sys.stdout.flush()
    return 0


def warm_run(spec: str) -> None:
    """The workers' warm-up, once; returns unless the loop hangs (SIGALRM ends us) or crashes us.

    Exceptions do not matter here (the workers ignore them too, and the checks report them).
    """
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(WARM_RUN_LIMIT)
    try:
        loop = make_loop(resolve(spec), spec)
        try:
            first_use(loop)
        finally:
            quiet_close(loop)
    except Exception:
        pass
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main())
