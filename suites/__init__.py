"""The loopconf conformance suites: one module per section of the spec, in the spec's order.

``sec_01_running.py`` checks 19.5.1.1, ``sec_02_calls.py`` 19.5.1.2, and so on; checks of the
parts of the loop page beyond the 46 numbered methods live in ``page_*.py``.
"""
