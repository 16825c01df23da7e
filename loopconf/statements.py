"""The statement catalogue: every normative statement of the docs, in our own words, with a stable ID.

Data lives in ``loopconf/statements/*.toml``, one file per spec section. Each ``[[statement]]`` has:

- ``id``: stable ID, ``<method>.<n>`` (e.g. ``call_soon.3``); never renumbered, only appended to;
- ``method``: the loop method (or object attribute) it is about; ``""`` for a section's introduction;
- ``kind``: one of :data:`KINDS` (only ``promise`` statements are counted for coverage);
- ``docs``: the docs version whose text makes the statement (``3.7`` for the spec page; later for additions);
- ``text``: the statement, paraphrased (never the docs' sentence verbatim);
- ``reason``: why a non-promise is not held against a loop (required for every other kind);
- ``audit``: ``<audit row>:<audit status>`` tracing it to reviews/spec-coverage-audit.md, when it came from there.

Checks declare what they cover with ``covers=`` on ``@check``; entries are statement IDs, with the suffix
``:partial`` when the check exercises only part of the statement. Every check declares at least one.
"""

from __future__ import annotations

import dataclasses
import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from loopconf.checks import SECTIONS

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "statements")
ALLOW_FILE = "allow_uncovered.toml"

#: Statement kinds. Only promises count toward coverage.
KINDS = {
    "promise": "the docs promise a loop behaviour; a check must be able to catch a loop that breaks it",
    "caller-obligation": "the docs tell the caller what to do; a loop may react as it likes (SHOULD at most)",
    "not-testable": "guidance, permission or description; nothing a check can hold a loop to",
    "platform-specific": "applies only on platforms loopconf does not run on (Windows, proactor)",
    "undefined": "the docs leave the behaviour open; checks may record it (INFO/SHOULD with a spec note)",
    "superseded": "3.7 text withdrawn by later docs on every supported Python",
}
PROMISE = "promise"
PARTIAL_SUFFIX = ":partial"

#: The 46 methods of the 3.7 page (19.5.1.1-19.5.1.16), each of which must have statements.
METHODS_37 = (
    "run_forever",
    "run_until_complete",
    "is_running",
    "stop",
    "is_closed",
    "close",
    "shutdown_asyncgens",
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "time",
    "create_future",
    "create_task",
    "set_task_factory",
    "get_task_factory",
    "create_connection",
    "create_datagram_endpoint",
    "create_unix_connection",
    "create_server",
    "create_unix_server",
    "connect_accepted_socket",
    "sendfile",
    "start_tls",
    "add_reader",
    "remove_reader",
    "add_writer",
    "remove_writer",
    "sock_recv",
    "sock_recv_into",
    "sock_sendall",
    "sock_connect",
    "sock_accept",
    "sock_sendfile",
    "getaddrinfo",
    "getnameinfo",
    "connect_read_pipe",
    "connect_write_pipe",
    "add_signal_handler",
    "remove_signal_handler",
    "run_in_executor",
    "set_default_executor",
    "set_exception_handler",
    "get_exception_handler",
    "default_exception_handler",
    "call_exception_handler",
)
PAGE_SECTIONS = tuple(s for s in SECTIONS if s.startswith("19.5.1."))
REQUIRED = ("id", "method", "kind", "docs", "text")


class CatalogueError(ValueError):
    """The statement data is malformed; the message names the file and statement."""


@dataclasses.dataclass(frozen=True)
class Statement:
    id: str
    section: str
    method: str
    kind: str
    docs: str
    text: str
    reason: str = ""
    audit: str = ""

    @property
    def is_promise(self) -> bool:
        return self.kind == PROMISE

    @property
    def on_37_page(self) -> bool:
        """Made by the 3.7 page itself (not a later addition, not another page)."""
        return self.docs == "3.7" and self.section in PAGE_SECTIONS

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _read(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{os.path.basename(path)}: {exc}") from None


def _version_ok(text: str) -> bool:
    parts = text.split(".")
    return len(parts) >= 2 and parts[0] == "3" and all(p.isdigit() for p in parts)


def load(data_dir: str = DATA_DIR) -> dict[str, Statement]:
    """Every statement, by ID, validated (unique IDs, known sections and kinds, reasons for non-promises)."""
    out: dict[str, Statement] = {}
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith(".toml") or name == ALLOW_FILE:
            continue
        data = _read(os.path.join(data_dir, name))
        section = data.get("section")
        if section not in SECTIONS:
            raise CatalogueError(f"{name}: unknown section {section!r}")
        for i, raw in enumerate(data.get("statement", [])):
            where = f"{name}: statement #{i + 1} ({raw.get('id', '?')})"
            missing = [k for k in REQUIRED if not isinstance(raw.get(k), str) or (k != "method" and not raw[k])]
            if missing:
                raise CatalogueError(f"{where}: missing or empty {', '.join(missing)}")
            unknown = set(raw) - {*REQUIRED, "reason", "audit"}
            if unknown:
                raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
            if raw["kind"] not in KINDS:
                raise CatalogueError(f"{where}: kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
            if raw["kind"] != PROMISE and not raw.get("reason"):
                raise CatalogueError(f"{where}: a {raw['kind']} statement needs a reason")
            if not _version_ok(raw["docs"]):
                raise CatalogueError(f"{where}: docs {raw['docs']!r} is not a version like 3.7 or 3.12.1")
            if raw["id"] in out:
                raise CatalogueError(f"{where}: duplicate statement ID {raw['id']}")
            out[raw["id"]] = Statement(
                section=section,
                reason=raw.get("reason", ""),
                audit=raw.get("audit", ""),
                **{k: raw[k] for k in REQUIRED},
            )
    if not out:
        raise CatalogueError(f"no statements found in {data_dir}")
    return out


def parse_covers(entries) -> tuple[list[str], list[str]]:
    """Split ``covers=`` entries into (full, partial) statement-ID lists."""
    full, partial = [], []
    for entry in entries or ():
        if entry.endswith(PARTIAL_SUFFIX):
            partial.append(entry[: -len(PARTIAL_SUFFIX)])
        else:
            full.append(entry)
    return full, partial


def covers_entries(full, partial) -> list[str]:
    """The ``covers=`` spelling of (full, partial) lists (inverse of :func:`parse_covers`)."""
    return [*full, *(f"{s}{PARTIAL_SUFFIX}" for s in partial)]


def load_allow_list(data_dir: str = DATA_DIR) -> dict[str, list[str]]:
    """Promise statements allowed (for now) to be uncovered / only partly covered. It may only shrink."""
    path = os.path.join(data_dir, ALLOW_FILE)
    if not os.path.exists(path):
        return {"uncovered": [], "partial": []}
    data = _read(path)
    return {"uncovered": list(data.get("uncovered", [])), "partial": list(data.get("partial", []))}


def unknown_references(statements: dict, mapping: dict) -> list[str]:
    """Messages for every statement ID a mapping refers to that the catalogue lacks."""
    return [
        f"{check}: unknown statement {sid}"
        for check, (full, partial) in sorted(mapping.items())
        for sid in (*full, *partial)
        if sid not in statements
    ]


def verbatim_runs(statements: dict, spec_text: str, words: int = 7) -> list[str]:
    """Statements sharing a run of ``words`` consecutive words with the docs text (a sign of quoting)."""
    import re

    def tokens(text):
        return re.findall(r"[a-z0-9_']+", text.lower())

    spec = tokens(spec_text)
    grams = {tuple(spec[i : i + words]) for i in range(len(spec) - words + 1)}
    found = []
    for st in statements.values():
        w = tokens(st.text)
        hits = [" ".join(w[i : i + words]) for i in range(len(w) - words + 1) if tuple(w[i : i + words]) in grams]
        if hits:
            found.append(f"{st.id}: '{hits[0]}'")
    return found
