"""The immutable :class:`URL` type.

Theory of operation. ``URL(text)`` first tries the regex fast path of :mod:`._fastpath`
(the common ``scheme://[userinfo@]host[:port][/path][?query][#fragment]`` shape of a
special URL); its result is exactly what the WHATWG state machine in :mod:`._whatwg`
would give (the tests compare the two on random input). Anything else (relative
references with a base, ``file:``, opaque paths, several ``@``, ``%`` in the host) goes
through the state machine. The URL keeps the record's fields; ``href`` is assembled on
first use unless the input was canonical already. ``join`` resolves path, query and
fragment references against a special base on the fields, without building a URL for
the reference.
"""

from __future__ import annotations

from typing import Any

from ._errors import InvalidPort, InvalidURL, URLTooLong
from ._fastpath import (
    C0_CONTROL_OR_SPACE,
    FAST_RE,
    FAST_SCHEMES,
    SCHEME_PREFIX_RE,
    fast_fields,
    relative_fields,
    resolve_special,
)
from ._host import domain_to_unicode, parse_host
from ._params import QueryParams
from ._quote import quote as _quote
from ._quote import unquote as _unquote
from ._split import MAX_URL_LENGTH
from ._whatwg import DEFAULT_PORTS, SPECIAL_SCHEMES, Record, parse

__all__ = ["URL"]


def _path_list(pathname: str, opaque: bool) -> list[str] | str:
    if opaque:
        return pathname
    return pathname[1:].split("/") if pathname else []


class URL:
    """An immutable, hashable, ordered URL, parsed by the WHATWG URL Standard.

    Special schemes (``http``, ``https``, ``ws``, ``wss``, ``ftp``, ``file``) follow the
    standard exactly: IDNA (UTS 46) hosts, IPv4 in every numeric form, IPv6 compressed,
    default ports dropped, dot segments removed, the standard's percent-encode sets.
    Other schemes follow the standard's rules for non-special URLs, which are RFC 3986's
    generic syntax: an opaque host (no IDNA, case kept), no default ports, and an
    opaque path when no ``/`` follows the colon (``mailto:``, ``data:``).

    >>> u = URL("HTTP://User:p%40ss@EXAMPLE.com:80/a/./b/../c?x=1&y=2#top")
    >>> str(u)
    'http://User:p%40ss@example.com/a/c?x=1&y=2#top'
    >>> u.scheme, u.host, u.port, u.path, u.query, u.fragment
    ('http', 'example.com', None, '/a/c', 'x=1&y=2', 'top')
    >>> u.username, u.password, u.raw_password
    ('User', 'p@ss', 'p%40ss')
    >>> u.protocol, u.hostname, u.pathname, u.search, u.hash, u.port_str
    ('http:', 'example.com', '/a/c', '?x=1&y=2', '#top', '')
    >>> u.origin
    'http://example.com'
    >>> URL("http:////admin/").host           # extra slashes, as browsers parse them
    'admin'
    >>> URL("http://0x7f.1:8080").href        # IPv4 in hex and short forms
    'http://127.0.0.1:8080/'
    >>> URL("https://Bücher.example/").raw_host, URL("https://Bücher.example/").host
    ('xn--bcher-kva.example', 'bücher.example')
    >>> u.join("../d?z=3")
    URL('http://User:p%40ss@example.com/d?z=3')
    >>> u.params["x"], u.params.getall("y")
    ('1', ['2'])
    >>> str(u.params.add("x", "a b").params.remove("y"))
    'http://User:p%40ss@example.com/a/c?x=1&x=a+b#top'
    >>> str(u.copy_with(host="python.org", port=8443, fragment=None))
    'http://User:p%40ss@python.org:8443/a/c?x=1&y=2'

    ``URL(text, base)`` resolves ``text`` against ``base`` (a URL or string). Without a
    base, text with no scheme is kept as a *relative reference*
    (``is_absolute`` is false) that :meth:`join` can later resolve. Invalid input raises
    :class:`InvalidURL` (or its subclasses :class:`InvalidHost`/:class:`InvalidPort`),
    a ``ValueError`` and a ``TetherError``, saying which part is wrong; text longer than
    :data:`MAX_URL_LENGTH` raises :class:`URLTooLong`.

    Pythonic components: ``scheme``, ``username``/``password`` (percent-decoded; the
    encoded forms are ``raw_username``/``raw_password``), ``host`` (Unicode form, IPv6
    without brackets; ``raw_host`` is the ASCII form), ``port`` (int, or None when
    absent or the scheme's default; ``effective_port`` fills in the default), ``path``,
    ``query``, ``fragment`` (percent-encoded strings, ``''`` when absent). WHATWG
    getters: ``href`` (= ``str(url)``), ``protocol``, ``host_port`` (the standard's
    ``host``), ``hostname``, ``port_str`` (the standard's ``port``), ``pathname``,
    ``search``, ``hash``, ``origin``.
    """

    __slots__ = (
        "_fragment",
        "_hash",
        "_host",
        "_href",
        "_opaque",
        "_password",
        "_path",
        "_port",
        "_query",
        "_scheme",
        "_username",
    )

    _scheme: str
    _username: str
    _password: str
    _host: str | None
    _port: int | None
    _path: str
    _opaque: bool
    _query: str | None
    _fragment: str | None
    _href: str | None
    _hash: int | None

    def __init__(self, url: str | URL, base: str | URL | None = None) -> None:
        if base is None and url.__class__ is str and url[-1:] > " ":
            # The hot path: the common shape, no surrounding text to strip.
            match = FAST_RE.fullmatch(url)
            if match is not None and len(url) <= MAX_URL_LENGTH:
                (self._scheme, self._username, self._password, self._host, self._port,
                 self._path, self._opaque, self._query, self._fragment,
                 self._href) = fast_fields(match)  # fmt: skip
                self._hash = None
                return
        self._init_slow(url, base)

    def _init_slow(self, url: str | URL, base: str | URL | None) -> None:
        if isinstance(url, URL):
            if base is None:
                for name in URL.__slots__:
                    setattr(self, name, getattr(url, name))
                return
            url = url.href
        if not isinstance(url, str):
            raise TypeError(f"URL() expects a str or URL, not {type(url).__name__}")
        if len(url) > MAX_URL_LENGTH:
            raise URLTooLong(f"URL of {len(url)} characters", "MAX_URL_LENGTH", MAX_URL_LENGTH)
        if base is not None:
            base_url = base if isinstance(base, URL) else URL(base)
            if not base_url.is_absolute:
                raise InvalidURL(f"base URL {base_url.href!r} is not absolute")
            self._set_record(parse(url, base_url._record()))
            return
        text = url.strip(C0_CONTROL_OR_SPACE)
        if "\t" in text or "\n" in text or "\r" in text:
            text = text.replace("\t", "").replace("\n", "").replace("\r", "")
        match = FAST_RE.fullmatch(text)
        if match is not None:
            self._set(fast_fields(match))
            return
        try:
            self._set_record(parse(text))
        except InvalidURL as exc:
            if "without a base" not in str(exc):
                raise
            self._set(relative_fields(text))

    # --- construction helpers ---

    def _set(self, fields: tuple[Any, ...]) -> None:
        (self._scheme, self._username, self._password, self._host, self._port, self._path,
         self._opaque, self._query, self._fragment, self._href) = fields  # fmt: skip
        self._hash = None

    def _set_record(self, record: Record) -> None:
        opaque = isinstance(record.path, str)
        path = record.path if isinstance(record.path, str) else "".join(
            ["/" + s for s in record.path]
        )  # fmt: skip
        self._set((record.scheme, record.username, record.password, record.host, record.port,
                   path, opaque, record.query, record.fragment, None))  # fmt: skip

    def _record(self) -> Record:
        record = Record()
        record.scheme = self._scheme
        record.username = self._username
        record.password = self._password
        record.host = self._host
        record.port = self._port
        record.path = _path_list(self._path, self._opaque)
        record.query = self._query
        record.fragment = self._fragment
        return record

    # --- WHATWG getters ---

    @property
    def href(self) -> str:
        """The serialised URL (``str(url)``)."""
        href = self._href
        if href is None:
            if not self._scheme:
                href = _serialize_relative(self)
            else:
                # The URL serialiser, written on the fields (no Record round trip).
                path = self._path
                if self._host is not None:
                    href = self._scheme + "://"
                    if self._username or self._password:
                        href += self._username
                        if self._password:
                            href += ":" + self._password
                        href += "@"
                    href += self._host
                    if self._port is not None:
                        href += f":{self._port}"
                    href += path
                elif not self._opaque and path[:2] == "//":
                    href = self._scheme + ":/." + path
                else:
                    href = self._scheme + ":" + path
                if self._query is not None:
                    href += "?" + self._query
                if self._fragment is not None:
                    href += "#" + self._fragment
            self._href = href
        return href

    @property
    def protocol(self) -> str:
        """The scheme and ``:`` (``'https:'``)."""
        return self._scheme + ":" if self._scheme else ""

    @property
    def hostname(self) -> str:
        """The host as serialised (ASCII, IPv6 in brackets), ``''`` if none."""
        return self._host or ""

    @property
    def host_port(self) -> str:
        """The WHATWG ``host`` getter: ``hostname[:port]``."""
        if self._host is None:
            return ""
        return self._host if self._port is None else f"{self._host}:{self._port}"

    @property
    def port_str(self) -> str:
        """The WHATWG ``port`` getter: the explicit, non-default port as text, or ``''``."""
        return "" if self._port is None else str(self._port)

    @property
    def pathname(self) -> str:
        """The path as serialised (percent-encoded)."""
        return self._path

    @property
    def search(self) -> str:
        """``'?'`` and the query, or ``''`` when the query is absent or empty."""
        return "?" + self._query if self._query else ""

    @property
    def hash(self) -> str:
        """``'#'`` and the fragment, or ``''`` when it is absent or empty."""
        return "#" + self._fragment if self._fragment else ""

    @property
    def origin(self) -> str:
        """The serialised origin: ``scheme://host[:port]`` (http(s), ws(s), ftp) or ``null``."""
        if self._scheme in SPECIAL_SCHEMES and self._scheme != "file":
            return f"{self._scheme}://{self.host_port}"
        if self._scheme == "blob":
            try:
                inner = URL(self._path)
            except InvalidURL:
                return "null"
            if inner._scheme in ("http", "https"):
                return inner.origin
        return "null"

    # --- Pythonic components ---

    @property
    def scheme(self) -> str:
        """The scheme, lowercased (``''`` for a relative reference)."""
        return self._scheme

    @property
    def raw_username(self) -> str:
        """The user name as in the URL (percent-encoded)."""
        return self._username

    @property
    def raw_password(self) -> str:
        """The password as in the URL (percent-encoded)."""
        return self._password

    @property
    def username(self) -> str:
        """The user name, percent-decoded (``''`` if none)."""
        return _unquote(self._username) if "%" in self._username else self._username

    @property
    def password(self) -> str:
        """The password, percent-decoded (``''`` if none)."""
        return _unquote(self._password) if "%" in self._password else self._password

    @property
    def raw_host(self) -> str | None:
        """The host in ASCII (IDNA A-labels), IPv6 without brackets; None if no host."""
        host = self._host
        if host and host[0] == "[":
            return host[1:-1]
        return host

    @property
    def host(self) -> str | None:
        """The host for display: IDNA labels decoded to Unicode, IPv6 without brackets."""
        host = self.raw_host
        if host and "xn--" in host and self._scheme in SPECIAL_SCHEMES:
            return domain_to_unicode(host)
        return host

    @property
    def port(self) -> int | None:
        """The explicit port, or None when absent or equal to the scheme's default."""
        return self._port

    @property
    def effective_port(self) -> int | None:
        """The port to connect to: the explicit one or the scheme's default."""
        if self._port is not None:
            return self._port
        return DEFAULT_PORTS.get(self._scheme)

    @property
    def path(self) -> str:
        """The path, percent-encoded (``'/'`` at least for http(s) URLs)."""
        return self._path

    @property
    def query(self) -> str:
        """The query without ``?``, percent-encoded (``''`` if none)."""
        return self._query or ""

    @property
    def fragment(self) -> str:
        """The fragment without ``#``, percent-encoded (``''`` if none)."""
        return self._fragment or ""

    @property
    def is_absolute(self) -> bool:
        """True for a URL with a scheme; false for a relative reference."""
        return bool(self._scheme)

    @property
    def params(self) -> QueryParams:
        """The query as an immutable multi-dict (application/x-www-form-urlencoded)."""
        return QueryParams(self)

    # --- operations ---

    def join(self, reference: str | URL) -> URL:
        """Resolve ``reference`` against this URL, as a browser resolves a link.

        Only a reference with its own scheme or authority (``//host``) changes the host.
        """
        if not self._scheme:
            raise InvalidURL(f"cannot join onto the relative reference {self.href!r}")
        ref = reference.href if isinstance(reference, URL) else reference
        if self._scheme in FAST_SCHEMES and ref.__class__ is str:
            # Against a special, hierarchical base, a reference without scheme or
            # authority is string concatenation followed by the path state's rules
            # (what the standard's relative states amount to); the base's scheme and
            # authority are canonical already and are kept as they are.
            if "\t" in ref or "\n" in ref or "\r" in ref:
                ref = ref.replace("\t", "").replace("\n", "").replace("\r", "")
            first = ref[:1]
            if not first:
                return self._with_tail(self._path, self._query, None)
            if first > " " and ref[-1] > " " and SCHEME_PREFIX_RE.match(ref) is None:
                if (first != "/" and first != "\\") or ref[1:2] not in ("/", "\\"):
                    return self._with_tail(*resolve_special(self._path, self._query, ref))
                # A network-path reference: the base gives only its scheme.
                return URL(self._scheme + ":" + ref)
        return URL(ref, self)

    def _with_tail(self, path: str, query: str | None, fragment: str | None) -> URL:
        """This URL's scheme and authority with another path, query and fragment."""
        url = URL.__new__(URL)
        url._scheme = self._scheme
        url._username = self._username
        url._password = self._password
        url._host = self._host
        url._port = self._port
        url._path = path
        url._opaque = self._opaque
        url._query = query
        url._fragment = fragment
        url._href = url._hash = None
        return url

    def _with_query(self, query: str | None) -> URL:
        """This URL with another (already encoded) query."""
        return self._with_tail(self._path, query, self._fragment)

    def copy_with(self, **components: Any) -> URL:
        """A new URL with the given components replaced.

        Keywords: ``scheme``, ``username``, ``password`` (decoded text, encoded here),
        ``host``, ``port`` (int or None), ``path``, ``query``, ``fragment`` (None
        removes them). The host never changes unless ``host`` is given.
        """
        unknown = components.keys() - {
            "scheme", "username", "password", "host", "port", "path", "query", "fragment",
        }  # fmt: skip
        if unknown:
            raise TypeError(f"copy_with() got unexpected keywords: {sorted(unknown)}")
        scheme = components.get("scheme", self._scheme)
        if "username" in components:
            username = _quote(components["username"] or "", safe="!$&'()*+,-.~_")
        else:
            username = self._username
        if "password" in components:
            password = _quote(components["password"] or "", safe="!$&'()*+,-.~_")
        else:
            password = self._password
        if "host" in components:
            new_host = components["host"]
            host = None if new_host is None else str(new_host)
            if host is not None and ":" in host and host[:1] != "[":
                host = f"[{host}]"
        else:
            host = self._host
        port = components.get("port", self._port)
        if port is not None and (not isinstance(port, int) or not 0 <= port <= 65535):
            raise InvalidPort(f"port {port!r} is not an int in 0-65535")
        path = components.get("path", self._path) or ""
        query = components.get("query", self._query)
        fragment = components.get("fragment", self._fragment)
        text = scheme + ":" if scheme else ""
        if host is not None:
            text += "//"
            if username or password:
                text += username + (":" + password if password else "") + "@"
            text += host + (f":{port}" if port is not None else "")
            if path and path[0] != "/" and not self._opaque:
                path = "/" + path
        elif path[:2] == "//":
            path = "/." + path
        text += path.replace("?", "%3F").replace("#", "%23")
        if query is not None:
            text += "?" + str(query).replace("#", "%23")
        if fragment is not None:
            text += "#" + str(fragment)
        result = URL(text)
        if "host" in components:
            expected = None if host is None else parse_host(host, scheme in SPECIAL_SCHEMES)
        else:
            expected = self._host
        if result._host != expected:
            raise InvalidURL(f"copy_with() would change the host to {result._host!r}")
        return result

    # --- dunder ---

    def __str__(self) -> str:
        return self.href

    def __repr__(self) -> str:
        return f"URL({self.href!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, URL):
            return self.href == other.href
        return NotImplemented

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = self._hash = hash(self.href)
        return h

    # Ordered by href; other types are not comparable.
    def __lt__(self, other: URL) -> bool:
        return self.href < other.href if isinstance(other, URL) else NotImplemented

    def __le__(self, other: URL) -> bool:
        return self.href <= other.href if isinstance(other, URL) else NotImplemented

    def __gt__(self, other: URL) -> bool:
        return self.href > other.href if isinstance(other, URL) else NotImplemented

    def __ge__(self, other: URL) -> bool:
        return self.href >= other.href if isinstance(other, URL) else NotImplemented

    def __reduce__(self) -> tuple[Any, ...]:
        return (URL, (self.href,))


def _serialize_relative(url: URL) -> str:
    out = ""
    if url._host is not None:
        out = "//"
        if url._username or url._password:
            out += url._username + (":" + url._password if url._password else "") + "@"
        out += url._host + (f":{url._port}" if url._port is not None else "")
    out += url._path
    if url._query is not None:
        out += "?" + url._query
    if url._fragment is not None:
        out += "#" + url._fragment
    return out
