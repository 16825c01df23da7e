"""Check metadata: every conformance check declares what it checks, next to its code.

A check is a pytest test function in ``suites/`` decorated with :func:`check`::

    @check("calls.call_soon.fifo", section="19.5.1.2", method="call_soon",
           requirement="Callbacks registered with call_soon run in registration order.")
    def test_call_soon_fifo(loop):
        ...

The decorator records a :class:`CheckMeta` (stable ID, spec clause, docs anchor, level,
applicable Python versions) and marks the function so the pytest plugin can find it.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from typing import Callable

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

SPEC_DOC = "asyncio-eventloop-3.7"
DOCS_URL = "https://docs.python.org/{docs}/library/asyncio-eventloop.html#{anchor}"

#: Titles of the spec's sections, used for grouping in reports.
SECTIONS = {
    "19.5.1.1": "Run an event loop",
    "19.5.1.2": "Calls",
    "19.5.1.3": "Delayed calls",
    "19.5.1.4": "Futures",
    "19.5.1.5": "Tasks",
    "19.5.1.6": "Creating connections",
    "19.5.1.7": "Creating listening connections",
    "19.5.1.8": "File transferring",
    "19.5.1.9": "TLS upgrade",
    "19.5.1.10": "Watch file descriptors",
    "19.5.1.11": "Low-level socket operations",
    "19.5.1.12": "Resolve host name",
    "19.5.1.13": "Connect pipes",
    "19.5.1.14": "UNIX signals",
    "19.5.1.15": "Executor",
    "19.5.1.16": "Error handling API",
    # Documented beside the 46 numbered methods (rest of the loop page, and the
    # subprocess page that 19.5.1.13 refers to). Not numbered in our spec text.
    "page.debug": "Debug mode (loop page, after 19.5.1.16)",
    "page.server": "Server objects (loop page, after 19.5.1.16)",
    "page.handle": "Handle and TimerHandle (loop page, after 19.5.1.16)",
    "subprocess": "Subprocess transports (subprocess page, referenced by 19.5.1.13)",
}


class Level(str, enum.Enum):
    """How strongly the documentation promises a behaviour (Autobahn/h2spec style)."""

    MUST = "MUST"  # the doc promises it; a failure is non-conformance
    SHOULD = "SHOULD"  # the doc recommends it, or stock asyncio itself departs from the doc
    INFO = "INFO"  # behaviour the doc leaves open; recorded, never gating


MUST, SHOULD, INFO = Level.MUST, Level.SHOULD, Level.INFO


@dataclasses.dataclass(frozen=True)
class CheckMeta:
    """What one check checks, and where the spec says so."""

    id: str
    section: str
    method: str
    requirement: str
    level: Level = MUST
    anchor: str = ""
    versions: str = ""  # PEP 440 specifier over the running Python, e.g. ">=3.11"
    docs: str = "3.7"  # docs version the requirement is judged by
    platforms: tuple = ()  # sys.platform prefixes; empty means everywhere
    note: str = ""  # spec-note ID (loopconf.spec_notes) explaining a grading decision
    handler_calls: bool = False  # the check expects the loop's exception handler to be called

    @property
    def section_title(self) -> str:
        return SECTIONS.get(self.section, "")

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(docs=self.docs, anchor=self.anchor)

    def applies(self, python: tuple | None = None, platform: str | None = None) -> str | None:
        """Return None if the check applies here, else the reason it does not."""
        python = python or sys.version_info[:3]
        platform = platform or sys.platform
        running = Version(".".join(map(str, python)))
        if self.versions and running not in SpecifierSet(self.versions):
            return f"applies to Python {self.versions}; running {running}"
        if self.platforms and not any(platform.startswith(p) for p in self.platforms):
            return f"applies on {', '.join(self.platforms)}; running on {platform}"
        return None

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["level"] = self.level.value
        data["platforms"] = list(self.platforms)
        data["section_title"] = self.section_title
        data["docs_url"] = self.docs_url
        return data


#: Every check known in this process, by ID.
REGISTRY: dict[str, CheckMeta] = {}


def check(
    id: str,
    *,
    section: str,
    method: str,
    requirement: str,
    level: Level = MUST,
    anchor: str | None = None,
    versions: str = "",
    docs: str = "3.7",
    platforms: tuple | str = (),
    note: str = "",
    handler_calls: bool = False,
) -> Callable:
    """Declare a conformance check (see the module docstring)."""
    if section not in SECTIONS:
        raise ValueError(f"check {id}: unknown spec section {section!r}")
    if isinstance(platforms, str):
        platforms = (platforms,)
    if anchor is None:
        anchor = f"asyncio.AbstractEventLoop.{method}"
    meta = CheckMeta(
        id=id,
        section=section,
        method=method,
        requirement=requirement,
        level=Level(level),
        anchor=anchor,
        versions=versions,
        docs=docs,
        platforms=tuple(platforms),
        note=note,
        handler_calls=handler_calls,
    )
    if id in REGISTRY and REGISTRY[id] != meta:
        raise ValueError(f"duplicate check ID {id}")
    REGISTRY[id] = meta

    def decorate(func: Callable) -> Callable:
        func.loopconf_check = meta
        return pytest.mark.loopconf(meta)(func)

    return decorate


def meta_of(item) -> CheckMeta | None:
    """The CheckMeta of a collected pytest item, or None for an undeclared test."""
    marker = item.get_closest_marker("loopconf")
    return marker.args[0] if marker else None


def check_id_of(item) -> str | None:
    """Stable ID of a collected item: the check ID plus its parameter ID, if any."""
    meta = meta_of(item)
    if meta is None:
        return None
    callspec = getattr(item, "callspec", None)
    return f"{meta.id}[{callspec.id}]" if callspec else meta.id
