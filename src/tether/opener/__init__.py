"""Opening URLs: a drop-in for ``urllib.request`` and ``urllib.error``.

``import tether.opener as urllib_request`` keeps every public name of
``urllib.request`` in CPython 3.13 (``urlopen``, ``Request``, ``OpenerDirector``,
``build_opener``, ``install_opener``, the handler classes, the password managers,
``urlretrieve``/``urlcleanup``, ``pathname2url``/``url2pathname``, ``getproxies``,
``proxy_bypass``, ``parse_http_list``, ``parse_keqv_list``...) and urllib.error's
``URLError``, ``HTTPError`` and ``ContentTooShortError`` (also
:class:`~tether.errors.TetherError` subclasses; ``URLError`` is an ``OSError``).
Handlers keep urllib's method names, so subclasses and custom handler chains work.

``http``/``https`` go through tether's HTTP/1.1 transport and its keep-alive pool (not
``http.client``); ``file:`` and ``data:`` (RFC 2397) are opened locally; ``ftp:``
raises ``URLError("FTP is not yet supported")`` until tether's FTP client lands.

Safe defaults that differ from urllib.request (CPython 3.11)
------------------------------------------------------------
1. **Finite timeouts.** Without ``timeout=``, a global default set with
   ``socket.setdefaulttimeout()`` is honoured as urllib would; otherwise tether's
   defaults apply (10 s to connect, 30 s per read or write) instead of waiting
   forever. A number keeps the stdlib's meaning (the socket timeout of every connect,
   read and write); ``timeout=None`` waits forever. A :class:`TimeoutConfig` may be
   passed instead, and its ``total`` bounds the whole call: connecting, TLS, sending,
   redirects, auth retries, the response head, and every later read of the body.
2. **Redirects** (at most 10, as urllib) go only to ``http``, ``https``, ``ftp`` and
   ``ftps``: a ``Location`` naming ``file:``, ``data:`` or any other scheme raises
   ``HTTPError``. ``Authorization``, ``Cookie`` and ``Proxy-Authorization`` headers
   added with ``add_header`` are dropped when a redirect leaves the origin (urllib
   sent them to the new host). A redirect's body is read up to 64 KiB
   (:data:`~tether.opener._handlers_http.REDIRECT_DRAIN_LIMIT`), not to its end.
3. **file:** URLs are opened only when the caller asks for one (never from a
   redirect); a host other than empty, ``localhost``, this machine's name or one of its
   addresses is refused without a DNS lookup.
4. **Bodies are returned as sent:** no content decoding (``Accept-Encoding: identity``
   is sent unless the caller sets the header), as urllib. Errors while reading a body
   are http.client's: a body cut short raises :class:`IncompleteRead` (an
   ``http.client.IncompleteRead``), broken framing :class:`BadResponse` (an
   ``http.client.HTTPException``), a bound passed :class:`ResponseTooLarge`
   (``http.client.LineTooLong``), all TetherErrors; a read timeout raises the builtin
   ``TimeoutError``. A server that closes without answering raises
   :class:`RemoteDisconnected` (``http.client.RemoteDisconnected``).
5. **urlretrieve** writes to a temporary file next to the target and renames it only
   when complete; a failed or short download (``ContentTooShortError``) leaves no file
   under the final name, and a temporary download is removed on failure.
6. **Connections are reused** between calls (one process-wide pool; ``urlcleanup()``
   closes it). urllib opened and closed a connection per request and sent
   ``Connection: close``; tether does so only with a connection class a program passes
   to ``AbstractHTTPHandler.do_open`` itself (e.g. an ``http.client`` subclass for
   Unix sockets), which is then used exactly as urllib uses it.
7. **Proxies** from ``*_proxy`` variables as urllib; ``socks4``, ``socks4a``,
   ``socks5`` and ``socks5h`` proxy URLs work too.

Objects live in tether's modules (``__module__`` names ``tether.opener._...``).

CPython's own ``test_urllib2`` runs against this module
(``tests/opener/test_cpython_urllib2.py``); the test it fails, on purpose:

- ``TrivialTests.test___all__``: it checks that each exported object's
  ``__module__`` is ``urllib.request``/``urllib.error``; tether's name tether's modules.

and the test it does not run:

- ``HandlerTests.test_redirect_no_path``: it replaces ``http.client.HTTPConnection``
  with a fake and opens ``http://python.org/path``; tether's ``HTTPHandler`` does not
  use http.client, so the request would reach the real python.org.
"""

from tether.net import TimeoutConfig as TimeoutConfig
from tether.opener._director import BaseHandler as BaseHandler
from tether.opener._director import HTTPDefaultErrorHandler as HTTPDefaultErrorHandler
from tether.opener._director import HTTPErrorProcessor as HTTPErrorProcessor
from tether.opener._director import OpenerDirector as OpenerDirector
from tether.opener._errors import BadResponse as BadResponse
from tether.opener._errors import ContentTooShortError as ContentTooShortError
from tether.opener._errors import HTTPError as HTTPError
from tether.opener._errors import IncompleteRead as IncompleteRead
from tether.opener._errors import RemoteDisconnected as RemoteDisconnected
from tether.opener._errors import ResponseTooLarge as ResponseTooLarge
from tether.opener._errors import URLError as URLError
from tether.opener._handlers_auth import AbstractBasicAuthHandler as AbstractBasicAuthHandler
from tether.opener._handlers_auth import AbstractDigestAuthHandler as AbstractDigestAuthHandler
from tether.opener._handlers_auth import HTTPBasicAuthHandler as HTTPBasicAuthHandler
from tether.opener._handlers_auth import HTTPDigestAuthHandler as HTTPDigestAuthHandler
from tether.opener._handlers_auth import HTTPPasswordMgr as HTTPPasswordMgr
from tether.opener._handlers_auth import (
    HTTPPasswordMgrWithDefaultRealm as HTTPPasswordMgrWithDefaultRealm,
)
from tether.opener._handlers_auth import (
    HTTPPasswordMgrWithPriorAuth as HTTPPasswordMgrWithPriorAuth,
)
from tether.opener._handlers_auth import ProxyBasicAuthHandler as ProxyBasicAuthHandler
from tether.opener._handlers_auth import ProxyDigestAuthHandler as ProxyDigestAuthHandler
from tether.opener._handlers_auth import parse_http_list as parse_http_list
from tether.opener._handlers_auth import parse_keqv_list as parse_keqv_list
from tether.opener._handlers_http import AbstractHTTPHandler as AbstractHTTPHandler
from tether.opener._handlers_http import HTTPCookieProcessor as HTTPCookieProcessor
from tether.opener._handlers_http import HTTPHandler as HTTPHandler
from tether.opener._handlers_http import HTTPRedirectHandler as HTTPRedirectHandler
from tether.opener._handlers_http import HTTPSHandler as HTTPSHandler
from tether.opener._handlers_http import InvalidURL as InvalidURL
from tether.opener._handlers_http import TransportConnection as TransportConnection
from tether.opener._handlers_misc import CacheFTPHandler as CacheFTPHandler
from tether.opener._handlers_misc import DataHandler as DataHandler
from tether.opener._handlers_misc import FileHandler as FileHandler
from tether.opener._handlers_misc import FTPHandler as FTPHandler
from tether.opener._handlers_misc import UnknownHandler as UnknownHandler
from tether.opener._handlers_misc import pathname2url as pathname2url
from tether.opener._handlers_misc import url2pathname as url2pathname
from tether.opener._proxies import ProxyHandler as ProxyHandler
from tether.opener._proxies import getproxies as getproxies
from tether.opener._proxies import getproxies_environment as getproxies_environment
from tether.opener._proxies import parse_proxy as _parse_proxy  # noqa: F401 (urllib's name)
from tether.opener._proxies import proxy_bypass as proxy_bypass
from tether.opener._proxies import proxy_bypass_environment as proxy_bypass_environment
from tether.opener._request import Request as Request
from tether.opener._request import request_host as request_host
from tether.opener._retrieve import urlcleanup as urlcleanup
from tether.opener._retrieve import urlretrieve as urlretrieve
from tether.opener._urlopen import build_opener as build_opener
from tether.opener._urlopen import install_opener as install_opener
from tether.opener._urlopen import urlopen as urlopen

__all__ = [
    "AbstractBasicAuthHandler",
    "AbstractDigestAuthHandler",
    "BaseHandler",
    "CacheFTPHandler",
    "DataHandler",
    "FTPHandler",
    "FileHandler",
    "HTTPBasicAuthHandler",
    "HTTPCookieProcessor",
    "HTTPDefaultErrorHandler",
    "HTTPDigestAuthHandler",
    "HTTPErrorProcessor",
    "HTTPHandler",
    "HTTPPasswordMgr",
    "HTTPPasswordMgrWithDefaultRealm",
    "HTTPPasswordMgrWithPriorAuth",
    "HTTPRedirectHandler",
    "HTTPSHandler",
    "OpenerDirector",
    "ProxyBasicAuthHandler",
    "ProxyDigestAuthHandler",
    "ProxyHandler",
    "Request",
    "UnknownHandler",
    "build_opener",
    "getproxies",
    "install_opener",
    "pathname2url",
    "url2pathname",
    "urlcleanup",
    "urlopen",
    "urlretrieve",
]
