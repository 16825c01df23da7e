"""Fixtures for the conformance suites (see loopconf.fixtures)."""

from loopconf.fixtures import handler_calls, loop, loop_factory, new_loop  # noqa: F401
