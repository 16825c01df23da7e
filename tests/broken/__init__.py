"""Deliberately broken loops: stock asyncio with exactly one guarantee broken each.

Every module here exposes loop classes or factories; tests/test_broken_*.py run loopconf
against them and assert that the intended check is flagged.
"""
