"""``python -m loopconf.probe SPEC``: validate a loop factory in a throwaway process.

Prints one JSON line (the loop's identity) and exits 0, or prints one error line and exits 2.
The runner calls this in a subprocess so that importing the loop never touches its own process.
"""

import json
import sys

from loopconf.factory import FactoryError, probe


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
