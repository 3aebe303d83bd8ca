"""``tether robots URL [--agent UA] [PATH...]``: may this crawler fetch these paths?

The answer is tether.robots' (RFC 9309: the groups naming the crawler's product token,
else the ``*`` groups; the longest matching rule wins, ``Allow`` on a tie; a robots.txt
that answers 4xx allows everything, 5xx or no answer disallows everything). Each
answer is shown with the rule that decided it. Exit status 0 if every path is allowed,
1 if any is disallowed.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from tether.cli._console import Output
from tether.cli._errors import CLIError, ExitCode


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("robots", parents=common, help="check paths against a site's robots.txt",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url", metavar="URL", help="the site (or its robots.txt URL)")
    p.add_argument("paths", metavar="PATH", nargs="*",
                   help="paths or URLs to check (default: the path of URL)")
    p.add_argument("-A", "--agent", default="tether",
                   help="the crawler's user agent (its product token is matched)")
    p.add_argument("--cacert", metavar="FILE", help="trust the CAs in FILE")
    p.add_argument("--timeout", type=float, metavar="SECONDS")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=robots_command, extras="paths")


def _robots_url(url: str) -> tuple[str, str]:
    """(robots.txt URL, the path the user pointed at)."""
    from tether.url import urlsplit, urlunsplit

    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CLIError(f"{url!r}: an http(s) URL is needed")
    robots = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return robots, path


def _parser_class() -> Any:
    from tether.robots import RobotFileParser

    class KeepingParser(RobotFileParser):
        """Keeps the text it parses, to show which rule decided."""

        text = ""

        def parse(self, lines: Any) -> None:
            self.text = lines if isinstance(lines, str) else "\n".join(lines)
            super().parse(lines)

    return KeepingParser


def deciding_rule(text: str, agent: str, path: str) -> str | None:
    """The rule RFC 9309 §2.2.2 picks for ``path`` (longest match, Allow on ties)."""
    from tether.protocols.robotstxt import parse, product_token
    from tether.robots import RuleLine

    best: Any = None
    for group in parse(text).groups_for(product_token(agent)):
        for rule in group.rules:
            if not rule.pattern or not RuleLine(rule.raw, rule.allow).applies_to(path):
                continue
            if (best is None or len(rule.pattern) > len(best.pattern)
                    or (len(rule.pattern) == len(best.pattern) and rule.allow)):
                best = rule
    if best is None:
        return None
    return f"{'Allow' if best.allow else 'Disallow'}: {best.raw}"


def robots_command(args: argparse.Namespace, out: Output) -> int:
    if args.cacert:
        if not os.path.exists(args.cacert):
            raise CLIError(f"--cacert: no such file: {args.cacert}")
        os.environ["SSL_CERT_FILE"] = args.cacert  # read by tether's TLS context factory
    robots_url, own_path = _robots_url(args.url)
    paths = args.paths or [own_path]
    parser = _parser_class()(robots_url, timeout=args.timeout)
    parser.read()
    rows = []
    for path in paths:
        allowed = parser.can_fetch(args.agent, path)
        if parser.disallow_all:
            reason = f"robots.txt unreachable or refused ({parser.error}): all disallowed"
        elif parser.allow_all:
            reason = f"robots.txt not available ({parser.error}): all allowed"
        elif path.split("?")[0].endswith("/robots.txt") and allowed:
            reason = "robots.txt itself is always allowed"
        else:
            reason = deciding_rule(parser.text, args.agent, path) or "no rule matched"
        rows.append({"path": path, "allowed": allowed, "rule": reason})
    if args.json:
        out.json({"robots_txt": robots_url, "agent": args.agent,
                  "crawl_delay": parser.crawl_delay(args.agent),
                  "sitemaps": parser.site_maps() or [], "results": rows})
    else:
        out.table(["path", "verdict", "because"],
                  ([r["path"], "allowed" if r["allowed"] else "DISALLOWED", r["rule"]]
                   for r in rows), title=f"{robots_url} for {args.agent!r}")
        delay = parser.crawl_delay(args.agent)
        if delay is not None and out.out_is_tty:
            out.text(f"Crawl-delay: {delay} s")
    return ExitCode.OK if all(r["allowed"] for r in rows) else ExitCode.NEGATIVE
