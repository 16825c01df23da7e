"""The one bound on waiting in the suites' helpers.

TIMEOUT bounds every blocking step a helper takes (a peer thread's socket operation, a
``net.run`` of one loop call, a bounded loop run): a broken loop fails the check within it
instead of hitting the runner's per-check timeout. A conforming loop needs a tiny fraction.
"""

TIMEOUT = 3.0
