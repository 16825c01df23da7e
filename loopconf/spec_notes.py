"""Spec notes: places where we grade a check SHOULD or INFO instead of MUST, and why.

Each note names the clause, what the documentation says (in our words), what stock CPython
does, and the grading decision. Checks refer to a note by its ID (``@check(..., note=ID)``);
every report lists the notes of the checks it contains, so users see where even CPython
differs from its docs, or where the docs leave a behaviour open.
"""

from __future__ import annotations

NOTES: dict = {}


def note(id: str, *, clause: str, doc: str, cpython: str, decision: str) -> None:
    NOTES[id] = {"id": id, "clause": clause, "doc": doc, "cpython": cpython, "decision": decision}


note(
    "after-close-runtimeerror",
    clause="19.5.1.1 close (asyncio.AbstractEventLoop.close)",
    doc="After close() the caller should call no other method; the page names no error for a call made anyway.",
    cpython="Raises RuntimeError('Event loop is closed') from every scheduling method of a closed loop.",
    decision="Checks that a closed loop refuses work with RuntimeError are SHOULD: the refusal is the common, "
    "expected behaviour, but the documented contract is the caller's obligation.",
)


def notes_for(note_ids) -> list:
    """The notes named by the given IDs, in a stable order; unknown IDs get a placeholder."""
    out = []
    for nid in sorted(set(n for n in note_ids if n)):
        out.append(NOTES.get(nid, {"id": nid, "clause": "", "doc": "", "cpython": "",
                                   "decision": "(note text missing: a bug in loopconf)"}))
    return out
