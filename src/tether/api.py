"""requests' module-level functions: each call uses a new :class:`~tether.sessions.Session`
(closed afterwards), as requests does. For many calls, keep a session: it pools
connections.

``timeout`` keeps requests' meaning (a number bounds connecting and each wait for data;
``(connect, read)``; ``None`` waits forever) and also takes a :class:`tether.TimeoutConfig`
whose ``total`` bounds the whole call. Without one, tether's finite default applies
(10 s to connect, 30 s per read), where requests would wait forever.
"""

from __future__ import annotations

from typing import Any

from tether.models import Response
from tether.sessions import Session

__all__ = ["delete", "get", "head", "options", "patch", "post", "put", "request"]


def request(method: str, url: Any, **kwargs: Any) -> Response:
    """Send a request and return its :class:`Response` (see :meth:`Session.request`)."""
    with Session() as session:
        return session.request(method=method, url=url, **kwargs)


def get(url: Any, params: Any = None, **kwargs: Any) -> Response:
    return request("get", url, params=params, **kwargs)


def options(url: Any, **kwargs: Any) -> Response:
    return request("options", url, **kwargs)


def head(url: Any, **kwargs: Any) -> Response:
    kwargs.setdefault("allow_redirects", False)
    return request("head", url, **kwargs)


def post(url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
    return request("post", url, data=data, json=json, **kwargs)


def put(url: Any, data: Any = None, **kwargs: Any) -> Response:
    return request("put", url, data=data, **kwargs)


def patch(url: Any, data: Any = None, **kwargs: Any) -> Response:
    return request("patch", url, data=data, **kwargs)


def delete(url: Any, **kwargs: Any) -> Response:
    return request("delete", url, **kwargs)
