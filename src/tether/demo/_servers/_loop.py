"""An asyncio event loop running in a daemon thread, hosting the demo's servers."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: How long a call into the server loop may take before the demo gives up (seconds).
CALL_TIMEOUT = 30.0


class ServerLoop:
    """Owns one event loop in a background thread; ``call`` runs a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="tether-demo-servers",
                                        daemon=True)
        self._servers: list[asyncio.AbstractServer] = []
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the server loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(CALL_TIMEOUT)

    def keep(self, server: asyncio.AbstractServer) -> asyncio.AbstractServer:
        """Remember a listening server so that ``close`` stops it."""
        self._servers.append(server)
        return server

    def close(self) -> None:
        """Stop every server, cancel open connections' tasks, stop and close the loop."""
        if self.loop.is_closed():
            return

        async def shutdown() -> None:
            for server in self._servers:
                server.close()
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.call(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()
