"""Loop factory for qasync (Qt event loop via PySide6), used by scripts/publish-reports.

qasync needs one QApplication per process; it is created on the first call and reused. Run with
QT_QPA_PLATFORM=offscreen so no display is needed.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_app = None


def new_event_loop():
    """A new qasync.QEventLoop bound to the process-wide QApplication."""
    global _app
    import qasync
    from PySide6.QtWidgets import QApplication

    if _app is None:
        _app = QApplication.instance() or QApplication([])
    return qasync.QEventLoop(_app)
