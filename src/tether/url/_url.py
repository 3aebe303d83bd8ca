"""The immutable :class:`URL` type and its query-parameter multi-dict.

Theory of operation. ``URL(text)`` first tries one regular expression that recognises
the common shape (``scheme://[userinfo@]host[:port][/path][?query][#fragment]`` with no
dot segments and at most one ``@``); for it, each component is checked with one regex
search and percent-encoded only if needed, ASCII hosts are only lowercased and checked,
and the result is exactly what the WHATWG state machine in :mod:`._whatwg` would give
(the tests compare the two on random input). Anything else (relative references with a
base, ``file:``, opaque paths, dot segments, several ``@``) goes through the state
machine. The URL keeps the record's fields; ``href`` is assembled on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from ._errors import InvalidPort, InvalidURL, URLTooLong
from ._host import _ENDS_IN_NUMBER_RE, parse_host
from ._quote import quote as _quote
from ._quote import unquote as _unquote
from ._split import MAX_URL_LENGTH
from ._whatwg import DEFAULT_PORTS, SPECIAL_SCHEMES, Record, parse

__all__ = ["URL", "QueryParams"]

_C0_CONTROL_OR_SPACE: Final = "".join(map(chr, range(0x21)))
# The common shape, lowercase special scheme; no tab/CR/LF, no "%" or forbidden code
# point in the host, a single "@". Anything else takes the state machine.
_FAST_RE: Final = re.compile(
    r"((?i:https?|wss?|ftp))://"  # scheme
    r"(?:([^@/\\?#\t\n\r]*)@)?"  # userinfo
    r"([^\x00-\x20#%/:<>?@\[\\\]^|\x7f]+|\[[0-9A-Fa-f:.]*\])"  # host
    r"(?::([0-9]*))?"  # port
    r"([/\\][^?#\t\n\r]*)?"  # path
    r"(?:\?([^#\t\n\r]*))?"  # query
    r"(?:#([^\t\n\r]*))?",  # fragment
    re.S,
)
# Stricter still: nothing to encode, no userinfo, no segment starting with "." or "%2e",
# a port without leading zeros. Such a URL is canonical once its host is.
_CLEAN_RE: Final = re.compile(
    r"((?i:https?|wss?|ftp))://"
    r"([^\x00-\x20#%/:<>?@\[\\\]^|\x7f]+)"
    r"(?::([1-9][0-9]{0,4}))?"
    r"((?:/(?!\.|%2[eE])[^/?#\x00-\x20\"<>\\^`{}\x7f-\U0010ffff]*)+)"
    r"(?:\?([^#\x00-\x20\"'<>\x7f-\U0010ffff]*))?"
    r"(?:#([^\x00-\x20\"<>`\x7f-\U0010ffff]*))?"
)
_FAST_SCHEMES: Final = frozenset({"http", "https", "ws", "wss", "ftp"})
_SCHEME_PREFIX_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_DOT_SEGMENT_RE: Final = re.compile(r"[/\\](?:\.|%2[eE]){1,2}(?=[/\\]|\Z)")
_NEEDS_ENCODING = "\x00-\x20\x7f-\U0010ffff"
# Anything in a path that needs a closer look: to encode, a backslash, a possible dot segment.
_PATH_ODD_RE: Final = re.compile(f'[{_NEEDS_ENCODING}"#<>?^`{{}}\\\\]|/(?:\\.|%2[eE])')
_PATH_ENC_RE: Final = re.compile(f'[{_NEEDS_ENCODING}"#<>?^`{{}}]')
_SPECIAL_QUERY_ENC_RE: Final = re.compile(f"[{_NEEDS_ENCODING}\"#<>']")
_FRAGMENT_ENC_RE: Final = re.compile(f'[{_NEEDS_ENCODING}"<>`]')
_USERINFO_ENC_RE: Final = re.compile(f'[{_NEEDS_ENCODING}"#<>?^`{{}}/:;=@\\[\\\\\\]|]')
_MAYBE_NUMBER_END: Final = frozenset("0123456789abcdefx.")


def _table(encode: str) -> list[str]:
    return [f"%{b:02X}" if b < 0x21 or b > 0x7E or chr(b) in encode else chr(b) for b in range(256)]


_PATH_TABLE: Final = _table('"#<>?^`{}')
_SPECIAL_QUERY_TABLE: Final = _table("\"#<>'")
_FRAGMENT_TABLE: Final = _table('"<>`')
_USERINFO_TABLE: Final = _table('"#<>?^`{}/:;=@[\\]|')


def _encode(text: str, table: list[str]) -> str:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates become U+FFFD, as USVString does
        data = re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")
    return data.decode("latin-1").translate(table)


def _fast_fields(match: re.Match[str]) -> tuple[tuple[Any, ...], bool] | None:
    """Record fields from a ``_FAST_RE`` match and whether href equals the input text;
    None when the state machine must decide (dot segments)."""
    scheme, userinfo, host, port, path, query, fragment = match.groups()
    same = True
    if not scheme.islower():
        scheme = scheme.lower()
        same = False
    username = password = ""
    if userinfo is not None:
        username, _, password = userinfo.partition(":")
        if _USERINFO_ENC_RE.search(username):
            username = _encode(username, _USERINFO_TABLE)
        if password and _USERINFO_ENC_RE.search(password):
            password = _encode(password, _USERINFO_TABLE)
        creds = username + (":" + password if password else "")
        if not (username or password) or creds != userinfo:
            same = False
    if host.isascii() and host[0] != "[":
        lowered = host.lower()
        if "xn--" in lowered or (
            lowered[-1] in _MAYBE_NUMBER_END and _ENDS_IN_NUMBER_RE.search(lowered)
        ):
            lowered = parse_host(lowered, True)
    else:
        lowered = parse_host(host, True)
    if lowered != host:
        host = lowered
        same = False
    port_number: int | None = None
    if port is not None:
        if port:
            if len(port.lstrip("0")) > 5 or int(port) > 65535:
                raise InvalidPort(f"port {port} out of range 0-65535")
            port_number = int(port)
            if port_number == DEFAULT_PORTS[scheme]:
                port_number = None
                same = False
            elif port[0] == "0":
                same = False
        else:
            same = False
    if path is None:
        path = "/"
        same = False
    elif _PATH_ODD_RE.search(path):
        same = False
        if "\\" in path:
            path = path.replace("\\", "/")
        if _DOT_SEGMENT_RE.search(path):
            path = _remove_dot_segments(path)
        if _PATH_ENC_RE.search(path):
            path = _encode(path, _PATH_TABLE)
    if query and _SPECIAL_QUERY_ENC_RE.search(query):
        query = _encode(query, _SPECIAL_QUERY_TABLE)
        same = False
    if fragment and _FRAGMENT_ENC_RE.search(fragment):
        fragment = _encode(fragment, _FRAGMENT_TABLE)
        same = False
    return (scheme, username, password, host, port_number, path, False, query, fragment), same


_SINGLE_DOTS: Final = frozenset({".", "%2e"})
_DOUBLE_DOTS: Final = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


def _remove_dot_segments(path: str) -> str:
    """The path state's segment rules for a special, non-file URL path starting with "/"."""
    segments = path[1:].split("/")
    last = len(segments) - 1
    out: list[str] = []
    for i, segment in enumerate(segments):
        lowered = segment.lower() if "%" in segment else segment
        if lowered in _DOUBLE_DOTS:
            if out:
                out.pop()
            if i == last:
                out.append("")
        elif lowered in _SINGLE_DOTS:
            if i == last:
                out.append("")
        else:
            out.append(segment)
    return "".join(["/" + s for s in out])


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
            # The hottest path: a URL that is canonical but perhaps for host and port.
            match = _CLEAN_RE.fullmatch(url)
            if match is not None and len(url) <= MAX_URL_LENGTH:
                scheme, host, port, path, query, fragment = match.groups()
                same = True
                if not scheme.islower():
                    scheme = scheme.lower()
                    same = False
                if host.isascii():
                    lowered = host.lower()
                    if "xn--" in lowered or (
                        lowered[-1] in _MAYBE_NUMBER_END and _ENDS_IN_NUMBER_RE.search(lowered)
                    ):
                        lowered = parse_host(lowered, True)
                else:
                    lowered = parse_host(host, True)
                if lowered != host:
                    same = False
                port_number = None
                if port is not None:
                    port_number = int(port)
                    if port_number > 65535:
                        raise InvalidPort(f"port {port} out of range 0-65535")
                    if port_number == DEFAULT_PORTS[scheme]:
                        port_number = None
                        same = False
                self._scheme = scheme
                self._username = self._password = ""
                self._host = lowered
                self._port = port_number
                self._path = path
                self._opaque = False
                self._query = query
                self._fragment = fragment
                self._href = url if same else None
                self._hash = None
                return
            # The hot path: the common shape, trailing text not to strip.
            match = _FAST_RE.fullmatch(url)
            if match is not None and len(url) <= MAX_URL_LENGTH:
                fast = _fast_fields(match)
                if fast is not None:
                    fields, same = fast
                    (
                        self._scheme,
                        self._username,
                        self._password,
                        self._host,
                        self._port,
                        self._path,
                        self._opaque,
                        self._query,
                        self._fragment,
                    ) = fields
                    self._href = url if same else None
                    self._hash = None
                    return
        self._init_slow(url, base)

    def _init_slow(self, url: str | URL, base: str | URL | None) -> None:
        if isinstance(url, URL):
            if base is None:
                self._set(url._fields())
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
        text = url.strip(_C0_CONTROL_OR_SPACE)
        if "\t" in text or "\n" in text or "\r" in text:
            text = text.replace("\t", "").replace("\n", "").replace("\r", "")
        match = _FAST_RE.fullmatch(text)
        fast = _fast_fields(match) if match is not None else None
        if fast is not None:
            self._set(fast[0])
            return
        try:
            self._set_record(parse(text))
        except InvalidURL as exc:
            if "without a base" not in str(exc):
                raise
            self._set(_relative_fields(text))

    # --- construction helpers ---

    def _set(self, fields: tuple[Any, ...]) -> None:
        (
            self._scheme,
            self._username,
            self._password,
            self._host,
            self._port,
            self._path,
            self._opaque,
            self._query,
            self._fragment,
        ) = fields
        self._href = None
        self._hash = None

    def _set_record(self, record: Record) -> None:
        opaque = isinstance(record.path, str)
        path = record.path if isinstance(record.path, str) else "".join(
            ["/" + s for s in record.path]
        )  # fmt: skip
        self._set(
            (
                record.scheme,
                record.username,
                record.password,
                record.host,
                record.port,
                path,
                opaque,
                record.query,
                record.fragment,
            )
        )

    def _fields(self) -> tuple[Any, ...]:
        return (
            self._scheme,
            self._username,
            self._password,
            self._host,
            self._port,
            self._path,
            self._opaque,
            self._query,
            self._fragment,
        )

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

    @classmethod
    def _from_fields(cls, fields: tuple[Any, ...]) -> URL:
        url = cls.__new__(cls)
        url._set(fields)
        return url

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
            labels = []
            for label in host.split("."):
                if label[:4] == "xn--":
                    try:
                        label = label[4:].encode("ascii").decode("punycode")
                    except UnicodeError:
                        pass
                labels.append(label)
            return ".".join(labels)
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
        if not self.is_absolute:
            raise InvalidURL(f"cannot join onto the relative reference {self.href!r}")
        ref = reference.href if isinstance(reference, URL) else reference
        if self._scheme in _FAST_SCHEMES and isinstance(ref, str):
            # Resolving against a special, hierarchical base is string concatenation
            # followed by the path state's dot-segment rules, which URL() applies: the
            # result equals the standard's relative states for these reference shapes.
            if "\t" in ref or "\n" in ref or "\r" in ref:
                ref = ref.replace("\t", "").replace("\n", "").replace("\r", "")
            first = ref[:1]
            if not first:
                return URL._from_fields((*self._fields()[:8], None))
            if first > " " and ref[-1] > " " and _SCHEME_PREFIX_RE.match(ref) is None:
                if first == "#":
                    return self._with_tail(self._path + self._search_raw() + ref)
                if first == "?":
                    return self._with_tail(self._path + ref)
                if first == "/":
                    if ref[1:2] not in ("/", "\\"):
                        return self._with_tail(ref)
                elif first != "\\":
                    path = self._path
                    return self._with_tail(path[: path.rfind("/") + 1] + ref)
        return URL(ref, self)

    def _with_tail(self, tail: str) -> URL:
        """This URL's scheme and authority with path, query and fragment parsed from
        ``tail`` (parsed under a stand-in host: the real one is canonical already)."""
        parsed = URL(self._scheme + "://x" + tail)
        url = URL.__new__(URL)
        url._set(
            (
                self._scheme,
                self._username,
                self._password,
                self._host,
                self._port,
                parsed._path,
                False,
                parsed._query,
                parsed._fragment,
            )
        )
        return url

    def _search_raw(self) -> str:
        """``'?'`` and the query when present (even if empty), else ``''``."""
        return "" if self._query is None else "?" + self._query

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

    def __lt__(self, other: URL) -> bool:
        if not isinstance(other, URL):
            return NotImplemented
        return self.href < other.href

    def __le__(self, other: URL) -> bool:
        if not isinstance(other, URL):
            return NotImplemented
        return self.href <= other.href

    def __gt__(self, other: URL) -> bool:
        if not isinstance(other, URL):
            return NotImplemented
        return self.href > other.href

    def __ge__(self, other: URL) -> bool:
        if not isinstance(other, URL):
            return NotImplemented
        return self.href >= other.href

    def __reduce__(self) -> tuple[Any, ...]:
        return (URL, (self.href,))


_REF_RE: Final = re.compile(r"(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)


def _relative_fields(text: str) -> tuple[Any, ...]:
    """A relative reference (RFC 3986 section 4.2), percent-encoded like a non-special URL."""
    match = _REF_RE.fullmatch(text)
    assert match is not None
    authority, path, query, fragment = match.groups()
    username = password = ""
    host = None
    port = None
    if authority is not None:
        userinfo, at, hostport = authority.rpartition("@")
        if at:
            username, _, password = userinfo.partition(":")
            username = _encode(username, _USERINFO_TABLE)
            password = _encode(password, _USERINFO_TABLE)
        hostpart, colon, port_text = hostport.rpartition(":")
        if not colon or "]" in port_text:
            hostpart, port_text = hostport, ""
        if port_text:
            if not port_text.isdigit() or not port_text.isascii() or len(port_text) > 5:
                raise InvalidPort(f"invalid port {port_text!r} in {text[:80]!r}")
            port = int(port_text)
            if port > 65535:
                raise InvalidPort(f"port {port_text} out of range 0-65535")
        host = parse_host(hostpart, False)
    path = _encode(path, _PATH_TABLE) if _PATH_ENC_RE.search(path) else path
    if query is not None and _SPECIAL_QUERY_ENC_RE.search(query):
        query = _encode(query, _SPECIAL_QUERY_TABLE)
    if fragment is not None and _FRAGMENT_ENC_RE.search(fragment):
        fragment = _encode(fragment, _FRAGMENT_TABLE)
    return "", username, password, host, port, path, True, query, fragment


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


# --- query parameters -----------------------------------------------------------------


def _form_decode(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    return _unquote(text) if "%" in text else text


def _form_encode(text: str) -> str:
    if not text:
        return ""
    return _quote(text, safe="*").replace("%20", "+").replace("~", "%7E")


class QueryParams(Mapping[str, str]):
    """The query of a URL as an immutable multi-dict, parsed as HTML forms do.

    ``params[name]`` is the first value, ``getall(name)`` all of them. ``add``, ``set``
    and ``remove`` return a new :class:`URL` (the query re-serialised as
    application/x-www-form-urlencoded, spaces as ``+``), as ``URLSearchParams`` does.
    """

    __slots__ = ("_items", "_url")

    def __init__(self, url: URL) -> None:
        self._url = url
        query = url._query or ""
        items: list[tuple[str, str]] = []
        for part in query.split("&"):
            if part:
                name, _, value = part.partition("=")
                items.append((_form_decode(name), _form_decode(value)))
        self._items = tuple(items)

    def __getitem__(self, name: str) -> str:
        for key, value in self._items:
            if key == name:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for key, _ in self._items:
            seen.setdefault(key)
        return iter(seen)

    def __len__(self) -> int:
        return len({key for key, _ in self._items})

    def __repr__(self) -> str:
        return f"QueryParams({list(self._items)!r})"

    def getall(self, name: str) -> list[str]:
        """Every value of ``name``, in order (``[]`` if absent)."""
        return [value for key, value in self._items if key == name]

    def multi_items(self) -> list[tuple[str, str]]:
        """All ``(name, value)`` pairs, in order."""
        return list(self._items)

    def _with(self, items: Iterable[tuple[str, str]]) -> URL:
        query = "&".join(_form_encode(k) + "=" + _form_encode(v) for k, v in items)
        fields = list(self._url._fields())
        fields[7] = query if query else None
        return URL._from_fields(tuple(fields))

    def add(self, name: str, value: str) -> URL:
        """A new URL with ``name=value`` appended."""
        return self._with((*self._items, (name, str(value))))

    def set(self, name: str, value: str) -> URL:
        """A new URL where ``name`` has the single value ``value`` (at its first place)."""
        items: list[tuple[str, str]] = []
        done = False
        for key, old in self._items:
            if key == name:
                if not done:
                    items.append((name, str(value)))
                    done = True
            else:
                items.append((key, old))
        if not done:
            items.append((name, str(value)))
        return self._with(items)

    def remove(self, name: str) -> URL:
        """A new URL without any ``name`` parameter."""
        return self._with([(k, v) for k, v in self._items if k != name])
