"""Late-side limits scale with the measured scheduling latency; early-side judgements do not."""

import importlib

from loopconf import calibration


def fresh(monkeypatch, value=None):
    if value is None:
        monkeypatch.delenv("LOOPCONF_LATENCY", raising=False)
    else:
        monkeypatch.setenv("LOOPCONF_LATENCY", str(value))
    importlib.reload(calibration)
    return calibration


def test_quiet_machine_keeps_the_written_limit(monkeypatch):
    cal = fresh(monkeypatch, 0.0005)
    assert cal.scale() == 1.0 and cal.late(0.5) == 0.5


def test_loaded_machine_scales_the_limit(monkeypatch):
    cal = fresh(monkeypatch, 0.02)
    assert cal.scale() == 10.0 and cal.late(0.5) == 5.0


def test_scale_is_capped_so_a_hang_still_fails_fast(monkeypatch):
    cal = fresh(monkeypatch, 10.0)
    assert cal.scale() == cal.MAX_SCALE


def test_measurement_is_non_negative_and_cached(monkeypatch):
    cal = fresh(monkeypatch)
    first = cal.latency()
    assert first >= 0.0 and cal.latency() == first
