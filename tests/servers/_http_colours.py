"""Run one test body against ``Session`` and ``AsyncSession`` alike.

``Both`` wraps either session; every method returns what the sync session would
(coroutines are run on a private event loop), so a test is written once and
parametrised over both colours.
"""

from __future__ import annotations

import asyncio
from typing import Any

import tether


class Both:
    def __init__(self, colour: str, **kwargs: Any) -> None:
        self.colour = colour
        self.loop: asyncio.AbstractEventLoop | None = None
        if colour == "async":
            self.loop = asyncio.new_event_loop()
            self.session: Any = tether.AsyncSession(**kwargs)
        else:
            self.session = tether.Session(**kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("colour", "loop", "session"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.session, name, value)

    def run(self, value: Any) -> Any:
        if self.loop is not None and asyncio.iscoroutine(value):
            return self.loop.run_until_complete(value)
        return value

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.session, name)
        if name in ("request", "get", "head", "post", "put", "patch", "delete", "options",
                    "send"):
            return lambda *a, **kw: self.run(attr(*a, **kw))
        return attr

    def read(self, response: Any) -> bytes:
        """The body of a streamed response, in this colour."""
        if self.loop is not None:
            return self.run(response.aread())  # type: ignore[no-any-return]
        return response.content  # type: ignore[no-any-return]

    def chunks(self, response: Any, size: int) -> list[bytes]:
        if self.loop is not None:
            async def gather() -> list[bytes]:
                return [c async for c in response.aiter_content(size)]
            return self.run(gather())  # type: ignore[no-any-return]
        return list(response.iter_content(size))

    def lines(self, response: Any, **kw: Any) -> list[Any]:
        if self.loop is not None:
            async def gather() -> list[Any]:
                return [c async for c in response.aiter_lines(**kw)]
            return self.run(gather())  # type: ignore[no-any-return]
        return list(response.iter_lines(**kw))

    def close(self) -> None:
        if self.loop is not None:
            self.loop.run_until_complete(self.session.aclose())
            self.loop.close()
        else:
            self.session.close()
