"""Resolve ``--loop`` specifications into loop factories, and validate them.

A spec is either a short name (``asyncio``, ``reference``, ``uvloop``) or ``module:attr``
where ``attr`` (dotted attributes allowed) is a callable returning a new event loop each call.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import signal
from collections.abc import Callable

SHORT_NAMES = {
    "asyncio": "asyncio:new_event_loop",
    "reference": "reference_loop:new_event_loop",
    "uvloop": "uvloop:new_event_loop",
}


class FactoryError(Exception):
    """The loop specification cannot produce loops; the message is one line for the user."""


def canonical(spec: str) -> str:
    return SHORT_NAMES.get(spec, spec)


def resolve(spec: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """Import the factory named by ``spec``; raise FactoryError with a one-line reason."""
    target = canonical(spec)
    if ":" not in target:
        raise FactoryError(f"--loop {spec!r}: expected 'module:attr' or one of {', '.join(SHORT_NAMES)}")
    module_name, _, attr_path = target.partition(":")
    if not module_name or not attr_path:
        raise FactoryError(f"--loop {spec!r}: expected 'module:attr'")
    try:
        obj = importlib.import_module(module_name)
    except BaseException as exc:  # import of user code may raise anything, even SystemExit
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FactoryError(f"--loop {spec!r}: cannot import module {module_name!r}: {reason}") from None
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise FactoryError(f"--loop {spec!r}: module {module_name!r} has no attribute {attr_path!r}") from None
    if not callable(obj):
        raise FactoryError(f"--loop {spec!r}: {attr_path!r} is not callable ({type(obj).__name__})")
    return obj


def make_loop(factory: Callable, spec: str) -> asyncio.AbstractEventLoop:
    """Call the factory once and check that it produced an event loop."""
    try:
        loop = factory()
    except BaseException as exc:
        raise FactoryError(f"--loop {spec!r}: the factory raised {type(exc).__name__}: {exc}".rstrip(": ")) from None
    if not isinstance(loop, asyncio.AbstractEventLoop):
        raise FactoryError(
            f"--loop {spec!r}: the factory returned {type(loop).__module__}.{type(loop).__qualname__},"
            " not an asyncio.AbstractEventLoop"
        )
    return loop


def loop_version(loop) -> str:
    """Best-effort version of the package that provides the loop's class."""
    top = type(loop).__module__.split(".")[0]
    if top == "asyncio":
        import platform

        return platform.python_version()
    try:
        from importlib.metadata import packages_distributions, version

        for dist in packages_distributions().get(top, []):
            return version(dist)
    except Exception:
        pass
    module = importlib.import_module(top)
    return str(getattr(module, "__version__", "unknown"))


def probe(spec: str) -> dict:
    """Validate a spec as the runner does before a run: two calls, two distinct new loops."""
    factory = resolve(spec)
    first = make_loop(factory, spec)
    try:
        second = make_loop(factory, spec)
    except FactoryError:
        quiet_close(first)
        raise
    try:
        if first is second:
            raise FactoryError(
                f"--loop {spec!r}: the factory returned the same loop twice; it must create a new loop per call"
            )
        warnings = []
        for name in ("is_closed", "is_running"):
            try:
                if getattr(first, name)():
                    warnings.append(
                        f"--loop {spec!r}: a new loop from the factory says {name}() is True; "
                        "the checks will show what that breaks"
                    )
            except Exception as exc:
                warnings.append(f"--loop {spec!r}: {name}() on a new loop raised {type(exc).__name__}: {exc}")
        cls = type(first)
        return {
            "spec": spec,
            "factory": canonical(spec),
            "class": f"{cls.__module__}.{cls.__qualname__}",
            "version": loop_version(first),
            "warnings": warnings,
        }
    finally:
        quiet_close(first)
        if second is not first:
            quiet_close(second)


def first_use(loop) -> None:
    """Use a throwaway loop the way nearly every check will: run it once, add and remove a signal handler.

    A loop library may open process-wide resources the first time any loop runs (GLib's wake-up
    eventfd) or first installs a signal handler (GLib's signal eventfd), or start a runtime's
    threads: they live as long as the process and are never created again. Doing this once per
    worker before the first check keeps them from being charged to whichever check comes first
    (FALSE_POSITIVES.md FP-1b). Errors are ignored: the checks report them.
    """
    with contextlib.suppress(Exception):
        if not loop.is_running():
            loop.run_until_complete(asyncio.sleep(0))
    if hasattr(signal, "SIGUSR2"):
        with contextlib.suppress(Exception):
            loop.add_signal_handler(signal.SIGUSR2, _ignore)
            loop.remove_signal_handler(signal.SIGUSR2)


def _ignore() -> None:
    """first_use's signal handler (never expected to run)."""


def quiet_close(loop) -> None:
    """Close a loop, ignoring whatever close() raises (the checks report that)."""
    try:
        loop.close()
    except Exception:
        pass
