"""Check metadata: every conformance check declares what it checks, next to its code.

A check is a pytest test function in ``suites/`` declared once, through the module's
:func:`scope` (the area of its IDs and the spec section it cites)::

    scope = checks.scope(area="calls", section="19.5.1.2")

    @scope.check("call_soon", "fifo",
                 requirement="Callbacks registered with call_soon run in registration order.")
    def test_call_soon_fifo(loop):
        ...

The ID is ``<area>.<method>.<guarantee>`` (here ``calls.call_soon.fifo``); the requirement is
the one statement of the guarantee, so the function needs no docstring restating it. A
behaviour added or changed by a later Python is ``since="3.12"`` (applies from 3.12, judged by
the 3.12 docs). :func:`check` remains for a full ID given by hand.

The decorator records a :class:`CheckMeta` (stable ID, spec clause, docs anchor, level,
applicable Python versions) and marks the function so the pytest plugin can find it.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from collections.abc import Callable

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

#: ``sys.platform`` prefixes (see CheckMeta.platforms). UNIX is what the docs call
#: "Availability: Unix" (AF_UNIX sockets, signals, subprocesses): every POSIX platform.
#: POSIX names the same platforms where CPython decides by ``os.name == "posix"``.
UNIX = ("linux", "darwin", "freebsd", "openbsd", "netbsd", "sunos", "aix")
POSIX = UNIX
#: Linux only (abstract-namespace UNIX sockets, /proc-based measurements).
LINUX = ("linux",)


@dataclasses.dataclass(frozen=True)
class CheckMeta:
    """What one check checks, and where the spec says so."""

    id: str
    section: str
    method: str
    requirement: str
    level: Level = MUST
    anchor: str = ""
    versions: str = ""  # PEP 440 specifier over the running Python, e.g. ">=3.11"; "A || B": either
    docs: str = "3.7"  # docs version the requirement is judged by
    platforms: tuple = ()  # sys.platform prefixes; empty means everywhere
    note: str = ""  # spec-note ID (loopconf.spec_notes) explaining a grading decision
    handler_calls: bool = False  # the check expects the loop's exception handler to be called
    covers: tuple = ()  # IDs of the spec statements this check covers (statement catalogue)

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
        if self.versions and not python_matches(self.versions, running):
            return f"applies to Python {self.versions}; running {running}"
        if self.platforms and not any(platform.startswith(p) for p in self.platforms):
            return f"applies on {', '.join(self.platforms)}; running on {platform}"
        return None

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["level"] = self.level.value
        data["platforms"] = list(self.platforms)
        data["covers"] = list(self.covers)
        data["section_title"] = self.section_title
        data["docs_url"] = self.docs_url
        return data


def python_matches(versions: str, running) -> bool:
    """Whether Python ``running`` is in ``versions``: PEP 440 specifier sets joined by ``||``
    (any one matching), for gates PEP 440 alone cannot say, such as "<3.13.16 || >=3.14,<3.14.8"."""
    running = Version(str(running))
    return any(running in SpecifierSet(part.strip()) for part in versions.split("||"))


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
    since: str = "",
    platforms: tuple | str = (),
    note: str = "",
    handler_calls: bool = False,
    covers: tuple | list = (),
) -> Callable:
    """Declare a conformance check under a full ID (see the module docstring).

    ``since="3.12"`` is short for ``versions=">=3.12", docs="3.12"``: the behaviour exists from
    that Python on and is judged by that version's docs (a patch release such as ``"3.12.1"``
    is judged by the 3.12 docs). Give ``versions``/``docs`` explicitly only where they differ.
    """
    if section not in SECTIONS:
        raise ValueError(f"check {id}: unknown spec section {section!r}")
    if since:
        if versions:
            raise ValueError(f"check {id}: give since= or versions=, not both")
        versions = f">={since}"
        docs = ".".join(since.split(".")[:2])
    if isinstance(platforms, str):
        platforms = (platforms,)
    if isinstance(covers, str) or not all(isinstance(c, str) and c for c in covers):
        raise ValueError(f"check {id}: covers= must be a sequence of statement IDs (strings)")
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
        covers=tuple(covers),
    )
    if id in REGISTRY and REGISTRY[id] != meta:
        raise ValueError(f"duplicate check ID {id}")
    REGISTRY[id] = meta

    def decorate(func: Callable) -> Callable:
        func.loopconf_check = meta
        return pytest.mark.loopconf(meta)(func)

    return decorate


ANCHOR = "asyncio.AbstractEventLoop.{method}"


@dataclasses.dataclass(frozen=True)
class Scope:
    """What the checks of one suite module share: the ID area, the spec section, the docs
    anchor pattern, and optionally a docs version and platforms. Made by :func:`scope`."""

    area: str
    section: str
    anchor: str = ANCHOR  # pattern; "{method}" is replaced by the check's method
    docs: str = "3.7"
    platforms: tuple = ()

    def check(self, method: str, guarantee: str, *, requirement: str, topic: str | None = None, **fields) -> Callable:
        """Declare ``<area>.<topic>.<guarantee>`` (topic defaults to the method).

        ``method`` is the documented method (or attribute) the guarantee belongs to. Where the
        ID's middle part is not a method name (``model.lifecycle.state_machine``), pass it as
        ``topic=``. Every other keyword is as in :func:`check` and overrides the scope.
        """
        fields.setdefault("section", self.section)
        if "anchor" not in fields:
            fields["anchor"] = self.anchor.format(method=method)
        if "docs" not in fields and "since" not in fields:
            fields["docs"] = self.docs
        fields.setdefault("platforms", self.platforms)
        cid = f"{self.area}.{topic or method}.{guarantee}"
        return check(cid, method=method, requirement=requirement, **fields)


def scope(*, area: str, section: str, anchor: str = ANCHOR, docs: str = "3.7", platforms: tuple = ()) -> Scope:
    """The declaration scope of a suite module (see the module docstring)."""
    if section not in SECTIONS:
        raise ValueError(f"scope {area}: unknown spec section {section!r}")
    return Scope(area=area, section=section, anchor=anchor, docs=docs, platforms=tuple(platforms))


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
