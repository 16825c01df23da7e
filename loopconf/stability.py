"""Stability mode: the same selection run N times in fresh workers, judged as one run.

``loopconf run --repeat N`` (like web-platform-tests' ``--verify``) runs the whole selection N
times, each time in new pytest processes, and combines the N runs here into one
:class:`~loopconf.results.Results`:

- every record lists the outcome of each repeat in ``outcomes_seen`` (in run order);
- a check whose outcomes differ is *unstable*: its record keeps the most severe outcome and the
  evidence of the first repeat that produced it, and the expectations gate gives it the verdict
  ``flaky`` unless the expectations file lists every outcome that was seen;
- ``run.repeat`` says how many repeats were combined.

Nothing is rerun behind the user's back: a repeat is a whole, announced run, and each record says
how many times its check ran (``reruns`` counts the repeats beyond the first).
"""

from __future__ import annotations

import collections
import dataclasses

from loopconf.outcomes import _RANK
from loopconf.results import Results, merge


def severity(outcome: str) -> int:
    """Rank of an outcome: the representative of an unstable check is its most severe one."""
    return _RANK.get(outcome, len(_RANK))


def combine(runs: list) -> Results:
    """Combine N runs of the same selection into one Results with ``outcomes_seen`` per record."""
    if not runs:
        raise ValueError("nothing to combine")
    seen: dict = collections.defaultdict(list)
    chosen: dict = {}
    for res in runs:
        for r in res.results:
            key = (r.loop, r.check_id)
            seen[key].append(r.outcome)
            best = chosen.get(key)
            if best is None or severity(r.outcome) > severity(best.outcome):
                chosen[key] = r
    combined = merge(runs)  # loops, catalogue, spec notes and run times of all repeats
    results = []
    for key, r in chosen.items():
        r = dataclasses.replace(r, outcomes_seen=list(seen[key]), reruns=len(seen[key]) - 1)
        results.append(r)
    combined.results = results
    combined.run["repeat"] = len(runs)
    return combined


def unstable(results: Results) -> list:
    """Records whose outcome differed between repeats, in catalogue order."""
    return [r for r in results.results if len(set(r.outcomes_seen)) > 1]


def describe(outcomes_seen: list) -> str:
    """``pass x3, fail x2``: the outcomes of one unstable check, most frequent first."""
    counts = collections.Counter(outcomes_seen)
    return ", ".join(f"{o} x{n}" for o, n in counts.most_common())
