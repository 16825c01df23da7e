"""``@breaks``: what a broken loop must be flagged on, declared on the loop class itself.

``discover()`` finds every declared loop under tests/broken/ for tests/test_broken_loops.py.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import sys

ATTR = "_loopconf_breaks"
OUTCOMES = ("fail", "missing", "timeout", "crash")
# modules whose loops are not graded by exact check ID: hostile (runner-robustness and CLI tests),
# adversarial (tests/test_adversarial.py: some check of an area must flag each), hygiene
# (tests/test_attribution.py: loop-wide findings, blocked and missing outcomes, invariant modes)
UNDECLARED_MODULES = ("hostile", "adversarial", "hygiene")


@dataclasses.dataclass(frozen=True)
class Breaks:
    """One declaration: ``checks`` end as ``outcome``, ``keeps`` still pass, when ``python`` holds."""

    checks: tuple
    outcome: str = "fail"
    keeps: tuple = ()
    python: str = ""
    platforms: tuple = ()
    may_skip: tuple = ()

    def unmet(self) -> str:
        """Why this declaration does not apply here ("" when it does)."""
        if self.python:
            from loopconf.checks import python_matches  # PEP 440, with "||" as in check gates

            running = "%d.%d.%d" % sys.version_info[:3]  # noqa: UP031
            if not python_matches(self.python, running):
                return f"Python {self.python} (running {running})"
        if self.platforms and not sys.platform.startswith(self.platforms):
            return f"platform {'/'.join(self.platforms)} (running {sys.platform})"
        return ""


def breaks(*checks: str, outcome: str = "fail", keeps=(), python: str = "", platforms=(), may_skip=()):
    """Declare that loopconf must report every check matching ``checks`` (IDs or globs) as
    ``outcome`` on the decorated loop, and every check matching ``keeps`` as ``pass``.

    ``python`` is a version specifier (">=3.12"), ``platforms`` sys.platform prefixes; the
    declaration is ignored where they do not hold. ``may_skip``: globs of check IDs allowed to end
    as ``skip`` (a machine without IPv6, say). Stack several ``@breaks`` for version-gated parts.
    """
    if not checks:
        raise TypeError("@breaks needs at least one check ID")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    for group in (keeps, platforms, may_skip):
        if isinstance(group, str):
            raise TypeError(f"give a list, not the string {group!r}")
    entry = Breaks(tuple(checks), outcome, tuple(keeps), python, tuple(platforms), tuple(may_skip))

    def declare(cls):
        setattr(cls, ATTR, vars(cls).get(ATTR, ()) + (entry,))
        return cls

    return declare


@dataclasses.dataclass(frozen=True)
class BrokenLoop:
    module: str  # "calls"
    name: str  # "LifoCallSoonLoop"
    declared: tuple  # of Breaks

    @property
    def id(self) -> str:
        return f"{self.module}:{self.name}"

    @property
    def spec(self) -> str:
        return f"{__package__}.{self.module}:{self.name}"

    def applicable(self) -> tuple:
        return tuple(b for b in self.declared if not b.unmet())


def _modules():
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_") and info.name not in UNDECLARED_MODULES:
            yield info.name, importlib.import_module(f"{__package__}.{info.name}")


def _loop_classes(module):
    """Public event-loop classes that ``module`` defines (or builds) under their own name."""
    import asyncio

    for name, obj in vars(module).items():
        if (
            inspect.isclass(obj)
            and issubclass(obj, asyncio.AbstractEventLoop)
            and not name.startswith("_")
            and obj.__name__ == name
            and obj.__module__ == module.__name__
        ):
            yield name, obj


def discover() -> list:
    """Every declared broken loop, in module then source order."""
    return [
        BrokenLoop(mod, name, vars(cls)[ATTR])
        for mod, module in _modules()
        for name, cls in _loop_classes(module)
        if ATTR in vars(cls)
    ]


def undeclared() -> list:
    """``module:Class`` of every broken loop without a ``@breaks`` (each must have one)."""
    return [
        f"{mod}:{name}" for mod, module in _modules() for name, cls in _loop_classes(module) if ATTR not in vars(cls)
    ]
