"""Small connection pools for concurrent sending: :class:`SMTPPool` and :class:`AsyncSMTPPool`.

Theory of operation
-------------------
A pool holds up to ``size`` connections made by the caller's ``factory`` (which
connects, and may ``starttls()`` and ``login()``), opened when first needed and reused.
``send_many`` deals the messages round-robin over ``size`` connections and runs each
share with that connection's own ``send_many`` (one round trip per message under
PIPELINING) concurrently: threads for :class:`SMTPPool`, tasks for
:class:`AsyncSMTPPool`. Results come back in input order.

The bookkeeping (which connection is idle, when another may be opened, splitting and
merging) is colour-free and lives in :class:`_PoolState`; the two classes only add
waiting and the concurrent run. A connection that ends (``SMTPServerDisconnected``) is
dropped; ``send_many`` then raises that error after every share has finished, with
``results`` holding the outcome of each message (``None``: unknown, e.g. the body
was sent but no reply came, so a retry might deliver it twice).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from tether.errors import ClosedError
from tether.smtp._async import AsyncSMTP
from tether.smtp._bulk import Outgoing, Result
from tether.smtp._client import SMTP
from tether.smtp._errors import SMTPServerDisconnected

__all__ = ["AsyncSMTPPool", "SMTPPool"]

C = TypeVar("C", SMTP, AsyncSMTP)
Share = list[tuple[int, Outgoing]]
Outcome = list[Result] | SMTPServerDisconnected


class _PoolState(Generic[C]):
    """Idle connections, how many exist, and the split/merge of ``send_many``."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._idle: list[C] = []
        self._open = 0
        self._closed = False

    def _take(self) -> C | bool:
        """An idle connection, ``True`` if the caller may open one, ``False`` to wait."""
        if self._closed:
            raise ClosedError("the pool was closed")
        if self._idle:
            return self._idle.pop()
        if self._open < self.size:
            self._open += 1
            return True
        return False

    def _give(self, client: C | None) -> bool:
        """Return a connection (``None``: opening it failed); True if it must be closed."""
        if client is None or client.sock is None or self._closed:
            self._open -= 1
            return client is not None
        self._idle.append(client)
        return False

    def _drain(self) -> list[C]:
        self._closed = True
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        return idle

    def _split(self, messages: Iterable[Outgoing]) -> list[Share]:
        items = list(enumerate(messages))
        n = max(1, min(self.size, len(items)))
        return [items[i::n] for i in range(n)] if items else []

    @staticmethod
    def _merge(shares: list[Share], outcomes: Sequence[Outcome]) -> list[Result]:
        total = sum(len(s) for s in shares)
        results: list[Result | None] = [None] * total
        failure: SMTPServerDisconnected | None = None
        for share, outcome in zip(shares, outcomes, strict=True):
            if isinstance(outcome, SMTPServerDisconnected):
                failure = failure or outcome
                outcome = getattr(outcome, "results", [])
            for (index, _), result in zip(share, outcome, strict=False):
                results[index] = result
        if failure is not None:
            failure.results = results  # type: ignore[attr-defined]
            raise failure
        return results  # type: ignore[return-value]


class SMTPPool(_PoolState[SMTP]):
    """Up to ``size`` blocking connections from ``factory()``, used from threads.

    ``factory`` returns a connected :class:`SMTP` (after ``starttls()``/``login()`` if
    needed). Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, factory: Callable[[], SMTP], size: int = 4) -> None:
        super().__init__(size)
        self._factory = factory
        self._cond = threading.Condition()

    def _acquire(self) -> SMTP:
        with self._cond:
            while (got := self._take()) is False:
                self._cond.wait()
        if got is not True:
            return got
        try:
            return self._factory()
        except BaseException:
            self._release(None)
            raise

    def _release(self, client: SMTP | None) -> None:
        with self._cond:
            stale = self._give(client)
            self._cond.notify()
        if stale and client is not None:
            client.close()

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        client = self._acquire()
        try:
            return getattr(client, name)(*args, **kwargs)
        finally:
            self._release(client)

    def sendmail(self, *args: Any, **kwargs: Any) -> dict[str, tuple[int, bytes]]:
        """:meth:`SMTP.sendmail` on an idle connection of the pool."""
        result: dict[str, tuple[int, bytes]] = self._call("sendmail", *args, **kwargs)
        return result

    def send_message(self, *args: Any, **kwargs: Any) -> dict[str, tuple[int, bytes]]:
        """:meth:`SMTP.send_message` on an idle connection of the pool."""
        result: dict[str, tuple[int, bytes]] = self._call("send_message", *args, **kwargs)
        return result

    def send_many(
        self,
        messages: Iterable[Outgoing],
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> list[Result]:
        """:meth:`SMTP.send_many` over up to ``size`` connections at once."""
        shares = self._split(messages)

        def run(share: Share) -> Outcome:
            try:
                result: list[Result] = self._call(
                    "send_many", [m for _, m in share], mail_options, rcpt_options
                )
                return result
            except SMTPServerDisconnected as exc:
                return exc

        with ThreadPoolExecutor(max(1, len(shares))) as executor:
            outcomes = list(executor.map(run, shares))
        return self._merge(shares, outcomes)

    def close(self) -> None:
        """QUIT every idle connection; connections in use close when returned."""
        with self._cond:
            idle = self._drain()
            self._cond.notify_all()
        for client in idle:
            try:
                client.quit()
            except OSError:
                client.close()

    def __enter__(self) -> SMTPPool:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class AsyncSMTPPool(_PoolState[AsyncSMTP]):
    """Up to ``size`` asyncio connections from ``await factory()``.

    ``factory`` is a coroutine function returning a connected :class:`AsyncSMTP`.
    Use with ``async with``, or call :meth:`aclose`.
    """

    def __init__(self, factory: Callable[[], Awaitable[AsyncSMTP]], size: int = 4) -> None:
        super().__init__(size)
        self._factory = factory
        self._cond: asyncio.Condition | None = None  # made in the running loop

    def _condition(self) -> asyncio.Condition:
        if self._cond is None:
            self._cond = asyncio.Condition()
        return self._cond

    async def _acquire(self) -> AsyncSMTP:
        cond = self._condition()
        async with cond:
            while (got := self._take()) is False:
                await cond.wait()
        if got is not True:
            return got
        try:
            return await self._factory()
        except BaseException:
            await self._release(None)
            raise

    async def _release(self, client: AsyncSMTP | None) -> None:
        cond = self._condition()
        async with cond:
            stale = self._give(client)
            cond.notify()
        if stale and client is not None:
            await client.aclose()

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        client = await self._acquire()
        try:
            return await getattr(client, name)(*args, **kwargs)
        finally:
            await self._release(client)

    async def sendmail(self, *args: Any, **kwargs: Any) -> dict[str, tuple[int, bytes]]:
        """:meth:`AsyncSMTP.sendmail` on an idle connection of the pool."""
        result: dict[str, tuple[int, bytes]] = await self._call("sendmail", *args, **kwargs)
        return result

    async def send_message(self, *args: Any, **kwargs: Any) -> dict[str, tuple[int, bytes]]:
        """:meth:`AsyncSMTP.send_message` on an idle connection of the pool."""
        result: dict[str, tuple[int, bytes]] = await self._call("send_message", *args, **kwargs)
        return result

    async def send_many(
        self,
        messages: Iterable[Outgoing],
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> list[Result]:
        """:meth:`AsyncSMTP.send_many` over up to ``size`` connections at once."""
        shares = self._split(messages)

        async def run(share: Share) -> Outcome:
            try:
                result: list[Result] = await self._call(
                    "send_many", [m for _, m in share], mail_options, rcpt_options
                )
                return result
            except SMTPServerDisconnected as exc:
                return exc

        outcomes = await asyncio.gather(*(run(share) for share in shares))
        return self._merge(shares, outcomes)

    async def aclose(self) -> None:
        """QUIT every idle connection; connections in use close when returned."""
        cond = self._condition()
        async with cond:
            idle = self._drain()
            cond.notify_all()
        for client in idle:
            try:
                await client.quit()
            except OSError:
                client.close()

    async def __aenter__(self) -> AsyncSMTPPool:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()
