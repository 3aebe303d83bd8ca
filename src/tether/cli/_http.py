"""``tether get|head|delete|post|put|patch URL [ITEM...]``: HTTP with tether's requests API.

Request items are HTTPie's (see ``_items``); data fields are sent as JSON unless
``--form`` (or a file field, which makes it multipart). Redirects are followed by
default (``--no-follow`` shows the 3xx). What is printed is chosen with ``--print``
(``H`` request headers, ``B`` request body, ``h`` response headers, ``b`` response
body): ``hb`` on a terminal, ``b`` when piped, ``HBhb`` with ``-v``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from tether._version import __version__
from tether.cli._console import Output
from tether.cli._errors import CLIError, ExitCode
from tether.cli._http_output import print_request, print_response_body, print_response_head
from tether.cli._items import parse_items
from tether.cli._passwords import add_password_options, get_password, remember

METHODS = ("get", "head", "delete", "post", "put", "patch")
USER_AGENT = f"tether/{__version__}"
JSON_ACCEPT = "application/json, */*;q=0.5"


def _parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("url", metavar="URL", help="http(s) URL; 'example.org' and ':8080/x' "
                   "are short for http://example.org and http://localhost:8080/x")
    p.add_argument("items", metavar="ITEM", nargs="*",
                   help="Header:value, name==query, name=value, name:=json, name@file")
    body = p.add_argument_group("request body")
    body.add_argument("-j", "--json", action="store_true",
                      help="data fields as a JSON object (the default); Accept JSON")
    body.add_argument("-f", "--form", action="store_true",
                      help="data fields as a form (multipart if a file is given)")
    body.add_argument("--multipart", action="store_true", help="always multipart/form-data")
    body.add_argument("-d", "--data", metavar="TEXT|@FILE|-",
                      help="raw request body: text, a file (@FILE) or stdin (-)")
    body.add_argument("-H", "--header", action="append", default=[], metavar="NAME:VALUE")
    conn = p.add_argument_group("connection")
    conn.add_argument("-a", "--auth", metavar="USER[:PASS]",
                      help="credentials; the password is asked for if omitted")
    conn.add_argument("--auth-type", choices=("basic", "digest"), default="basic")
    conn.add_argument("--timeout", type=float, metavar="SECONDS",
                      help="connect and per-read timeout (default: 10 s connect, 30 s read)")
    conn.add_argument("--follow", action=argparse.BooleanOptionalAction, default=True,
                      help="follow redirects (default: yes)")
    conn.add_argument("--max-redirects", type=int, default=30, metavar="N")
    conn.add_argument("--verify", default="yes", metavar="yes|no|CAFILE",
                      help="verify the server's certificate (default yes)")
    conn.add_argument("-k", "--insecure", action="store_true", help="same as --verify=no")
    conn.add_argument("--cacert", metavar="FILE", help="same as --verify=FILE")
    conn.add_argument("--cert", metavar="FILE", help="client certificate (PEM)")
    conn.add_argument("--cert-key", metavar="FILE", help="its private key, if separate")
    conn.add_argument("--proxy", action="append", default=[], metavar="[SCHEME=]URL",
                      help="proxy for SCHEME (http, https, all) or for every scheme")
    add_password_options(p)
    out = p.add_argument_group("output")
    out.add_argument("-v", "--verbose", action="store_true",
                     help="print the request and the response headers too")
    out.add_argument("-p", "--print", dest="what", metavar="HBhb",
                     help="what to print: H/B request headers/body, h/b response")
    out.add_argument("--headers", action="store_true", help="only the response headers")
    out.add_argument("--body", action="store_true", help="only the response body")
    out.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    out.add_argument("-o", "--output", metavar="FILE", help="save the body to FILE")
    out.add_argument("-D", "--download", action="store_true",
                     help="save the body under the server's or the URL's file name")
    out.add_argument("-c", "--continue", dest="resume", action="store_true",
                     help="resume a partial download (-o FILE or the URL's file name)")
    out.add_argument("--check-status", action="store_true",
                     help="exit 3, 4 or 5 for a 3xx, 4xx or 5xx response")
    return p


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                common: list[argparse.ArgumentParser]) -> None:
    parent = _parent()
    for method in METHODS:
        p = sub.add_parser(method, parents=[*common, parent],
                           help=f"send an HTTP {method.upper()} request",
                           description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(handler=http_command, method=method.upper(), extras="items")


def normalise_url(text: str) -> str:
    if text.startswith(":"):  # HTTPie's shorthand for localhost
        rest = text[1:]
        port, _, path = rest.partition("/")
        return f"http://localhost{':' + port if port else ''}/{path}"
    if "://" not in text:
        return "http://" + text
    return text


def _verify(args: argparse.Namespace) -> bool | str:
    if args.insecure:
        return False
    if args.cacert:
        if not os.path.exists(args.cacert):
            raise CLIError(f"--cacert: no such file: {args.cacert}")
        return str(args.cacert)
    value = args.verify.lower()
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0"):
        return False
    if not os.path.exists(args.verify):
        raise CLIError(f"--verify: no such file: {args.verify}")
    return str(args.verify)


def _proxies(args: argparse.Namespace) -> dict[str, str] | None:
    proxies: dict[str, str] = {}
    for text in args.proxy:
        scheme, sep, url = text.partition("=")
        if sep and "://" not in scheme:
            proxies[scheme] = url
        else:
            proxies["http"] = proxies["https"] = text
    return proxies or None


def _auth(args: argparse.Namespace, url: str) -> Any:
    if not args.auth:
        return None
    import tether.auth
    from tether.url import urlsplit

    user, sep, password = args.auth.partition(":")
    if sep:
        remember(password)  # given on the command line on purpose, as with curl -u
    else:
        password = get_password(args, user, urlsplit(url).hostname or url)
    if args.auth_type == "digest":
        return tether.auth.HTTPDigestAuth(user, password)
    return tether.auth.HTTPBasicAuth(user, password)


class _UploadFile:
    """A file being uploaded; advances a progress bar as the body is read."""

    def __init__(self, path: str, bar: Any) -> None:
        try:
            self._file = open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CLIError(f"cannot read {path}: {exc.strerror}") from None
        self._size = os.fstat(self._file.fileno()).st_size
        self._bar = bar
        self.name = path

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._bar.advance(len(data))
        return data

    def close(self) -> None:
        self._file.close()


def _body(args: argparse.Namespace, items: Any, headers: dict[str, Any],
          progress: Any) -> dict[str, Any]:
    """The ``data``/``json``/``files`` keyword arguments of the request."""
    if args.data is not None:
        if items.has_body:
            raise CLIError("-d/--data and data or file items cannot be combined")
        if args.data == "-":
            return {"data": sys.stdin.buffer.read()}
        if args.data.startswith("@"):
            path = os.path.expanduser(args.data[1:])
            upload = _UploadFile(path, None)
            upload._bar = progress.add("upload", len(upload))
            return {"data": upload}
        return {"data": args.data.encode("utf-8")}
    if items.files or args.multipart:
        if args.json:
            raise CLIError("file fields need --form or --multipart, not --json")
        files = []
        for name, path, mime in items.files:
            upload = _UploadFile(path, None)
            upload._bar = progress.add(os.path.basename(path), len(upload))
            files.append((name, (os.path.basename(path), upload, mime)))
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in items.data.items()}
        return {"data": data, "files": files or None}
    if items.data and args.form:
        if items.raw_json_used:
            raise CLIError("raw JSON fields (name:=json) need JSON, not --form")
        return {"data": dict(items.data)}
    if items.data:
        headers.setdefault("Accept", JSON_ACCEPT)
        return {"json": items.data}
    if args.json:
        headers.setdefault("Accept", JSON_ACCEPT)
    return {}


def _what(args: argparse.Namespace, out: Output, to_file: bool) -> str:
    if args.quiet:
        return ""
    if args.what is not None:
        if set(args.what) - set("HBhb"):
            raise CLIError("--print takes letters from HBhb")
        return str(args.what)
    if args.verbose:
        return "HBh" if to_file else "HBhb"
    if args.headers:
        return "h"
    if args.body:
        return "b"
    if to_file:
        return ""
    return "hb" if out.out_is_tty else "b"


def http_command(args: argparse.Namespace, out: Output) -> int:
    import tether
    from tether._progress import TransferProgress
    from tether.cli._http_output import download

    url = normalise_url(args.url)
    items = parse_items(args.items)
    for text in args.header:
        name, sep, value = text.partition(":")
        if not sep or not name.strip():
            raise CLIError(f"-H {text!r}: expected NAME:VALUE")
        items.headers.append((name.strip(), value.strip() or None))
    headers: dict[str, Any] = {"User-Agent": USER_AGENT}
    if args.json:
        headers["Accept"] = JSON_ACCEPT
    for name, value in items.headers:
        headers[name] = value
    to_file = bool(args.download or args.output)
    what = _what(args, out, to_file)
    if args.resume and not to_file:
        raise CLIError("--continue needs --download or -o FILE")
    from tether.url import urlsplit

    parts = urlsplit(url)
    if parts.password:
        remember(parts.password)
    with tether.Session() as session, TransferProgress() as progress:
        out.live = progress
        session.max_redirects = args.max_redirects
        body = _body(args, items, headers, progress)
        if args.json and "json" not in body and body.get("data") is not None:
            headers.setdefault("Content-Type", "application/json")
        resume_from, target = 0, None
        if to_file:
            from tether.cli._http_output import prepare_download

            target, resume_from = prepare_download(args, url, headers)
        cert: Any = (args.cert, args.cert_key) if args.cert and args.cert_key else args.cert
        response = session.request(
            args.method, url, params=items.params or None, headers=headers,
            auth=_auth(args, url), timeout=args.timeout, allow_redirects=args.follow,
            proxies=_proxies(args), verify=_verify(args), cert=cert, stream=True, **body)
        with response:
            if "H" in what or "B" in what:
                print_request(out, response.request, "H" in what, "B" in what, err=to_file)
            if "h" in what:
                print_response_head(out, response, err=to_file)
            if to_file:
                code = download(args, out, response, progress, target, resume_from)
                if code:
                    return code
            elif "b" in what and args.method != "HEAD":
                print_response_body(out, response)
    return _status_code(args, out, response)


def _status_code(args: argparse.Namespace, out: Output, response: Any) -> int:
    status = int(response.status_code)
    if not args.check_status or status < 300:
        return ExitCode.OK
    out.text(f"tether: warning: HTTP {status} {response.reason}", err=True)
    if status < 400:
        return ExitCode.HTTP_3XX
    return ExitCode.HTTP_4XX if status < 500 else ExitCode.HTTP_5XX
