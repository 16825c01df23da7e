"""Shared helpers for the conformance suites (not collected: leading underscore)."""
