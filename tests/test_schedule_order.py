"""The order a run hands checks to workers: long checks first, dealt out to each worker's share."""

import pytest

from loopconf import plugin


@pytest.fixture
def ids(monkeypatch):
    monkeypatch.setattr(plugin, "check_id_of", lambda item: item)


def _items():
    return [f"calls.m{i}.g" for i in range(8)] + ["model.a.trace", "tls.x.handshake_timeout", "model.b.trace"]


def test_one_worker_runs_long_checks_first_then_spec_order(ids):
    out = plugin.longest_first(_items())
    assert out[:3] == ["model.a.trace", "tls.x.handshake_timeout", "model.b.trace"]
    assert out[3:] == [f"calls.m{i}.g" for i in range(8)]


def test_two_workers_each_start_their_share_with_long_checks(ids):
    items = _items()
    out = plugin.longest_first(items, lanes=2)
    assert sorted(out) == sorted(items)  # a permutation: nothing lost, nothing doubled
    first, second = out[:5], out[5:]  # worksteal's split: 11 // 2 to the first worker, the rest to the second
    assert first[:2] == ["model.a.trace", "model.b.trace"] and first[2:] == ["calls.m0.g", "calls.m1.g", "calls.m2.g"]
    assert second[0] == "tls.x.handshake_timeout" and second[1:] == [f"calls.m{i}.g" for i in range(3, 8)]


def test_mostly_long_checks_keep_the_plain_order(ids):
    items = [f"model.m{i}.trace" for i in range(5)]  # the first share could not hold its part
    assert plugin.longest_first(items, lanes=2) == items
