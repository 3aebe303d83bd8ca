"""Demo step for tether.robots: RFC 9309 answers for a robots.txt served by the demo."""

from __future__ import annotations

from tether.demo._runner import DemoContext, Step
from tether.demo._servers.start import http_servers


def check_robots(ctx: DemoContext) -> str:
    from tether.robots import RobotFileParser

    servers = http_servers(ctx)
    parser = RobotFileParser(servers.http_url + "/robots.txt")
    parser.read()
    # The demo's robots.txt: "*" may not fetch /private/ except /private/press/ (the
    # longer Allow wins, RFC 9309 §2.2.2); "badbot" may fetch nothing; /robots.txt is
    # always allowed.
    expected = {
        ("tether-demo/1.0", "/"): True,
        ("tether-demo/1.0", "/private/plans.html"): False,
        ("tether-demo/1.0", "/private/press/release.html"): True,
        ("BadBot/2.1 (+https://bad.example)", "/index.html"): False,
        ("BadBot/2.1 (+https://bad.example)", "/robots.txt"): True,
    }
    for (agent, path), allowed in expected.items():
        if parser.can_fetch(agent, path) is not allowed:
            raise AssertionError(f"can_fetch({agent!r}, {path!r}) should be {allowed}")
    if parser.crawl_delay("tether-demo") != 2 or not parser.site_maps():
        raise AssertionError("Crawl-delay or Sitemap not read")
    return (f"{len(expected)} answers as RFC 9309 says (longest match, Allow on ties); "
            f"crawl delay {parser.crawl_delay('tether-demo')} s")


STEPS = [Step("robots: RFC 9309 answers from robots.txt", check_robots)]
