"""Demo steps for HTTP: the requests API (blocking) and AsyncSession, over HTTP and HTTPS.

The server is the demo's own asyncio HTTP/1.1 server (``_servers/http.py``); each step
checks what tether returned (status, bodies, the redirect chain, every downloaded byte),
so the demo fails if tether gets anything wrong.
"""

from __future__ import annotations

import asyncio
import time

from tether.demo._runner import DemoContext, Step
from tether.demo._servers.start import http_servers

#: Size of the streamed download (large enough for a visible progress bar).
DOWNLOAD_SIZE = 64 * 1024 * 1024
#: Size of each of the concurrent async downloads.
ASYNC_DOWNLOAD_SIZE = 8 * 1024 * 1024
_PATTERN = bytes(range(256)) * 1024  # the server sends byte i == i % 256


class _Checker:
    """Checks streamed chunks against the server's byte pattern without holding them."""

    def __init__(self) -> None:
        self.position = 0

    def feed(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            offset = self.position % 256
            piece = view[:len(_PATTERN) - offset]
            if piece != _PATTERN[offset:offset + len(piece)]:
                raise AssertionError(f"wrong bytes near offset {self.position}")
            self.position += len(piece)
            view = view[len(piece):]


def start_http_servers(ctx: DemoContext) -> str:
    servers = http_servers(ctx)
    return f"{servers.http_url} and {servers.https_url} (certificate from the demo CA)"


def fetch_page_and_json(ctx: DemoContext) -> str:
    import tether

    servers = http_servers(ctx)
    seen = []
    for base in (servers.http_url, servers.https_url):
        page = tether.get(base + "/", verify=ctx.ca_pem)
        page.raise_for_status()
        if "Hello from the tether demo" not in page.text:
            raise AssertionError(f"unexpected page from {base}")
        data = tether.get(base + "/json", params={"lang": "en"}, verify=ctx.ca_pem).json()
        if data.get("scheme") != base.split(":")[0] or data.get("args") != {"lang": "en"}:
            raise AssertionError(f"unexpected JSON from {base}: {data}")
        seen.append(f"{base.split(':')[0]}: {page.status_code} {page.reason}, "
                    f"{len(page.content)} B page, JSON from {data['server']!r}")
    return "; ".join(seen)


def follow_redirect(ctx: DemoContext) -> str:
    import tether

    servers = http_servers(ctx)
    r = tether.get(servers.https_url + "/redirect/3", verify=ctx.ca_pem)
    chain = [h.status_code for h in r.history]
    if chain != [302, 302, 302] or not r.url.endswith("/json") or r.status_code != 200:
        raise AssertionError(f"redirect chain {chain} ended at {r.url} ({r.status_code})")
    return f"/redirect/3 -> {chain} -> {r.url.split('/', 3)[3]} {r.status_code}"


def stream_download(ctx: DemoContext) -> str:
    import tether
    from tether._progress import TransferProgress

    servers = http_servers(ctx)
    checker = _Checker()
    started = time.perf_counter()
    with tether.Session() as session, TransferProgress(transient=True) as progress:
        url = f"{servers.https_url}/download/{DOWNLOAD_SIZE}"
        with session.get(url, stream=True, verify=ctx.ca_pem) as r:
            r.raise_for_status()
            bar = progress.add("download", int(r.headers["Content-Length"]))
            for chunk in r.iter_content(256 * 1024):
                checker.feed(chunk)
                bar.advance(len(chunk))
    elapsed = time.perf_counter() - started
    if checker.position != DOWNLOAD_SIZE:
        raise AssertionError(f"got {checker.position} of {DOWNLOAD_SIZE} bytes")
    return (f"{DOWNLOAD_SIZE >> 20} MiB over HTTPS with iter_content, every byte checked, "
            f"{DOWNLOAD_SIZE / elapsed / 1e6:.0f} MB/s")


def async_concurrently(ctx: DemoContext) -> str:
    import tether
    from tether._progress import TransferProgress

    servers = http_servers(ctx)

    async def download(session: tether.AsyncSession, progress: TransferProgress,
                       i: int) -> int:
        url = f"{servers.https_url}/download/{ASYNC_DOWNLOAD_SIZE}"
        r = await session.get(url, stream=True, verify=ctx.ca_pem)
        bar = progress.add(f"async {i}", int(r.headers["Content-Length"]))
        checker = _Checker()
        try:
            async for chunk in r.aiter_content(256 * 1024):
                checker.feed(chunk)
                bar.advance(len(chunk))
        finally:
            await r.aclose()
        return checker.position

    async def main() -> tuple[list[int], list[int], int]:
        async with tether.AsyncSession() as session:
            with TransferProgress(transient=True) as progress:
                small = [session.get(base + path, verify=ctx.ca_pem) for base in (servers.http_url,
                                                                servers.https_url)
                         for path in ("/", "/json", "/redirect/2")]
                results = await asyncio.gather(*small,
                                               *(download(session, progress, i)
                                                 for i in range(4)))
        responses = [r for r in results if isinstance(r, tether.Response)]
        sizes = [n for n in results if isinstance(n, int)]
        redirects = sum(len(r.history) for r in responses)
        return [r.status_code for r in responses], sizes, redirects

    statuses, sizes, redirects = asyncio.run(main())
    if statuses != [200] * 6 or sizes != [ASYNC_DOWNLOAD_SIZE] * 4 or redirects != 4:
        raise AssertionError(f"statuses {statuses}, sizes {sizes}, redirects {redirects}")
    return (f"AsyncSession: 6 requests (4 redirects followed) and 4 x "
            f"{ASYNC_DOWNLOAD_SIZE >> 20} MiB downloads at once, all checked")


def unknown_ca_refused(ctx: DemoContext) -> str:
    import tether

    servers = http_servers(ctx)
    try:
        tether.get(servers.https_url + "/json")  # default trust: not the demo's CA
    except tether.exceptions.SSLError as exc:
        return f"refused as expected: {type(exc).__name__}"
    raise AssertionError("a certificate from an unknown CA was accepted")


STEPS = [
    Step("http: start HTTP and HTTPS servers", start_http_servers),
    Step("http: fetch a page and JSON (HTTP, HTTPS)", fetch_page_and_json),
    Step("http: follow redirects", follow_redirect),
    Step("http: stream a download with a progress bar", stream_download),
    Step("http: the same with AsyncSession, concurrently", async_concurrently),
    Step("http: unknown CA is refused by default", unknown_ca_refused),
]
