"""``python -m loopconf``: the same as the ``loopconf`` command."""

import sys

from loopconf.cli import main

sys.exit(main())
