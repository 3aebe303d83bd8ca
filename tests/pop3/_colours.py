"""Run one test body against the sync and the async client."""

from __future__ import annotations

import inspect
from typing import Any

import tether.pop3 as pop3


async def open_client(colour: str, port: int, host: str = "127.0.0.1", *, tls: bool = False,
                      **kwargs: Any) -> Any:
    if colour == "sync":
        cls: Any = pop3.POP3_SSL if tls else pop3.POP3
        return cls(host, port, **kwargs)
    acls: Any = pop3.AsyncPOP3_SSL if tls else pop3.AsyncPOP3
    client = acls(host, port, **kwargs)
    await client.connect()
    return client


async def call(client: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    result = getattr(client, name)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def chunks(client: Any, which: int, stop_after: int | None = None) -> list[bytes]:
    out: list[bytes] = []
    iterator = client.iter_retr(which)
    if hasattr(iterator, "__anext__"):
        async for chunk in iterator:
            out.append(chunk)
            if stop_after is not None and len(out) >= stop_after:
                await iterator.aclose()
                break
    else:
        for chunk in iterator:
            out.append(chunk)
            if stop_after is not None and len(out) >= stop_after:
                iterator.close()
                break
    return out
