"""Demo step for tether.opener: urllib.request's API over tether's HTTP engine."""

from __future__ import annotations

import json
import os

from tether.demo._runner import DemoContext, Step
from tether.demo._servers.start import http_servers

RETRIEVE_SIZE = 1 << 20


def urlopen_and_retrieve(ctx: DemoContext) -> str:
    from tether.net import create_ssl_context
    from tether.opener import HTTPError, urlopen, urlretrieve

    servers = http_servers(ctx)
    tls = create_ssl_context(verify=ctx.ca_pem)
    with urlopen(servers.https_url + "/redirect/2", context=tls) as response:
        data = json.load(response)
        if response.status != 200 or not response.url.endswith("/json") or not data:
            raise AssertionError(f"urlopen ended at {response.url} ({response.status})")
    try:
        urlopen(servers.http_url + "/status/404")
    except HTTPError as exc:
        status = exc.code
    else:
        raise AssertionError("a 404 did not raise HTTPError")
    target = os.path.join(ctx.workdir, "retrieved.bin")
    blocks: list[int] = []
    path, _ = urlretrieve(f"{servers.http_url}/download/{RETRIEVE_SIZE}", target,
                          reporthook=lambda n, size, total: blocks.append(n))
    if os.path.getsize(path) != RETRIEVE_SIZE:
        raise AssertionError(f"urlretrieve wrote {os.path.getsize(path)} bytes")
    return (f"urlopen over HTTPS followed 2 redirects; 404 raised HTTPError({status}); "
            f"urlretrieve wrote {RETRIEVE_SIZE >> 20} MiB ({len(blocks)} reporthook calls)")


STEPS = [Step("opener: urlopen, HTTPError, urlretrieve", urlopen_and_retrieve)]
