"""Reference loop: asynchronous generator finalization (19.5.1.1 shutdown_asyncgens).

While the loop runs it owns ``sys.set_asyncgen_hooks``: every async generator first iterated
on it is tracked (weakly); a generator collected while still open is closed by a task on the
loop. shutdown_asyncgens() acloses all tracked generators; afterwards, first iteration of a new
generator warns (ResourceWarning, as CPython does).
"""

from __future__ import annotations

import sys
import warnings
import weakref
from asyncio import gather


class AsyncGensMixin:
    """Async generator hooks and shutdown_asyncgens."""

    def _init_asyncgens(self):
        self._asyncgens = weakref.WeakSet()
        self._asyncgens_shutdown_called = False

    def _install_asyncgen_hooks(self):
        """Called by run_forever: install this loop's hooks, return the previous ones."""
        old_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook)
        return old_hooks

    def _asyncgen_firstiter_hook(self, agen):
        if self._asyncgens_shutdown_called:
            warnings.warn(  # noqa: B028
                f"asynchronous generator {agen!r} was scheduled after loop.shutdown_asyncgens() call",
                ResourceWarning,
                source=self,
            )
        self._asyncgens.add(agen)

    def _asyncgen_finalizer_hook(self, agen):
        self._asyncgens.discard(agen)
        if not self._closed:
            self.call_soon_threadsafe(self.create_task, agen.aclose())

    async def shutdown_asyncgens(self):
        """19.5.1.1 shutdown_asyncgens: aclose() every open async generator of this loop.

        Failures go to the exception handler (message, exception, asyncgen).
        """
        self._asyncgens_shutdown_called = True
        if not len(self._asyncgens):
            return
        closing = list(self._asyncgens)
        self._asyncgens.clear()
        results = await gather(*[agen.aclose() for agen in closing], return_exceptions=True)
        for result, agen in zip(results, closing):
            if isinstance(result, Exception):
                self.call_exception_handler(
                    {
                        "message": f"an error occurred during closing of asynchronous generator {agen!r}",
                        "exception": result,
                        "asyncgen": agen,
                    }
                )
