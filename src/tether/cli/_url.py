"""``tether url parse|join|quote|unquote|encode``: tether.url from the command line."""

from __future__ import annotations

import argparse

from tether.cli._console import Output
from tether.cli._errors import CLIError, ExitCode


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: list[argparse.ArgumentParser]) -> None:
    url = sub.add_parser("url", parents=common, help="parse, join, quote and encode URLs",
                         description="URLs with tether.url (WHATWG parsing for http(s), "
                         "ws(s), ftp and file; RFC 3986 for the others).")
    actions = url.add_subparsers(dest="url_command", metavar="ACTION", required=True)

    parse = actions.add_parser("parse", parents=common, help="show the components of a URL")
    parse.add_argument("url", metavar="URL")
    parse.add_argument("--json", action="store_true", help="print JSON")
    parse.set_defaults(handler=parse_command)

    join = actions.add_parser("join", parents=common,
                              help="resolve references against a base URL")
    join.add_argument("base", metavar="BASE")
    join.add_argument("references", metavar="REF", nargs="+",
                      help="each resolved against BASE (RFC 3986 §5)")
    join.add_argument("--json", action="store_true", help="print JSON")
    join.set_defaults(handler=join_command)

    for name, helptext in (("quote", "percent-encode text"),
                           ("unquote", "decode percent-escapes")):
        p = actions.add_parser(name, parents=common, help=helptext)
        p.add_argument("text", metavar="TEXT", nargs="+")
        p.add_argument("--plus", action="store_true",
                       help="spaces as '+' (form encoding: quote_plus/unquote_plus)")
        if name == "quote":
            p.add_argument("--safe", default="/",
                           help="characters left as they are (default '/')")
        p.set_defaults(handler=quote_command if name == "quote" else unquote_command)

    encode = actions.add_parser("encode", parents=common,
                                help="build a query string from name=value pairs")
    encode.add_argument("pairs", metavar="NAME=VALUE", nargs="+")
    encode.add_argument("--decode", action="store_true",
                        help="the argument is a query string: show its pairs instead")
    encode.set_defaults(handler=encode_command)


def _components(text: str) -> list[tuple[str, str]]:
    from tether.url import URL

    url = URL(text)
    rows = [("href", str(url)), ("scheme", url.scheme)]
    if url.raw_username or url.raw_password:
        rows.append(("username", url.username))
        rows.append(("password", url.password))
    if url.raw_host is not None:
        rows.append(("host", url.host or ""))
        if url.host != url.raw_host:
            rows.append(("host (ASCII)", url.raw_host))
    if url.port is not None:
        rows.append(("port", str(url.port)))
    elif url.effective_port is not None:
        rows.append(("port", f"{url.effective_port} (default)"))
    rows.append(("path", url.path))
    if url.query:
        rows.append(("query", url.query))
        rows.extend((f"  {name}", value) for name, value in url.params.multi_items())
    if url.fragment:
        rows.append(("fragment", url.fragment))
    if url.origin and url.origin != "null":
        rows.append(("origin", url.origin))
    return rows


def parse_command(args: argparse.Namespace, out: Output) -> int:
    from tether.url import URL

    rows = _components(args.url)
    if args.json:
        url = URL(args.url)
        out.json({
            "href": str(url), "scheme": url.scheme, "username": url.username,
            "password": url.password, "host": url.host, "ascii_host": url.raw_host,
            "port": url.port, "effective_port": url.effective_port, "path": url.path,
            "query": url.query, "params": url.params.multi_items(),
            "fragment": url.fragment, "origin": url.origin,
        })
    else:
        out.pairs(rows)
    return ExitCode.OK


def join_command(args: argparse.Namespace, out: Output) -> int:
    from tether.url import URL

    base = URL(args.base)
    results = [(ref, str(base.join(ref))) for ref in args.references]
    if args.json:
        out.json([{"reference": ref, "url": url} for ref, url in results])
    elif len(results) == 1:
        out.text(results[0][1])
    else:
        out.table(["reference", "result"], results)
    return ExitCode.OK


def quote_command(args: argparse.Namespace, out: Output) -> int:
    from tether.url import quote, quote_plus

    for text in args.text:
        out.text(quote_plus(text, safe=args.safe) if args.plus else quote(text, safe=args.safe))
    return ExitCode.OK


def unquote_command(args: argparse.Namespace, out: Output) -> int:
    from tether.url import unquote, unquote_plus

    for text in args.text:
        out.text(unquote_plus(text) if args.plus else unquote(text))
    return ExitCode.OK


def encode_command(args: argparse.Namespace, out: Output) -> int:
    from tether.url import parse_qsl, urlencode

    if args.decode:
        pairs = [pair for query in args.pairs
                 for pair in parse_qsl(query.lstrip("?"), keep_blank_values=True)]
        out.table(["name", "value"], pairs)
        return ExitCode.OK
    items = []
    for pair in args.pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise CLIError(f"not a NAME=VALUE pair: {pair!r}")
        items.append((name, value))
    out.text(urlencode(items))
    return ExitCode.OK
