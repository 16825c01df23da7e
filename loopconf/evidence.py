"""Evidence helpers for checks: structured expected-vs-observed failures.

Checks may use plain ``assert`` (pytest rewrites it into a readable message); these helpers
add a separate *expected* and *observed* value that the report shows side by side.
"""

from __future__ import annotations


class Violation(AssertionError):
    """The loop under test contradicted the requirement of the running check."""

    def __init__(self, message: str, *, expected=None, observed=None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.observed = observed

    def __str__(self) -> str:
        parts = [self.message]
        if self.expected is not None or self.observed is not None:
            parts.append(f"expected: {self.expected!r}")
            parts.append(f"observed: {self.observed!r}")
        return "\n".join(parts)


class HarnessError(Exception):
    """loopconf itself could not run the check (outcome ``error``): a bug on our side."""


def expect_equal(observed, expected, what: str) -> None:
    """Fail the check unless ``observed == expected``."""
    if observed != expected:
        raise Violation(what, expected=expected, observed=observed)


def expect(condition, what: str, *, expected=None, observed=None) -> None:
    """Fail the check with ``what`` unless ``condition`` holds."""
    if not condition:
        raise Violation(what, expected=expected, observed=observed)


def expect_raises(exc_types, func, *args, what: str, **kwargs):
    """Call ``func`` and fail the check unless it raises one of ``exc_types``.

    Returns the exception raised. NotImplementedError propagates unchanged, so a loop
    that does not implement the method is reported as ``missing``, not ``fail``.
    """
    try:
        result = func(*args, **kwargs)
    except NotImplementedError:
        raise
    except exc_types as exc:
        return exc
    except BaseException as exc:
        raise Violation(what, expected=_names(exc_types), observed=f"{type(exc).__name__}: {exc}") from exc
    raise Violation(what, expected=_names(exc_types), observed=f"returned {result!r}")


def _names(exc_types) -> str:
    if isinstance(exc_types, tuple):
        return " or ".join(t.__name__ for t in exc_types)
    return exc_types.__name__


def expect_instance(value, types, what: str, *, expected: str | None = None) -> None:
    """Fail the check with ``what`` unless ``value`` is an instance of ``types``.

    For a value that is an exception (what a refused call returned), the report shows its type
    and message; for any other value its repr. ``expected`` overrides the type names shown.
    """
    if isinstance(value, types):
        return
    if isinstance(value, BaseException):
        observed = f"{type(value).__name__}: {value}"
    else:
        observed = repr(value)
    raise Violation(what, expected=expected or _qualified(types), observed=observed)


def _qualified(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}" for t in types)
