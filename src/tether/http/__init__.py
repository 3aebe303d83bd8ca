"""HTTP for tether: the transport layer (connections, pools, proxies) and, on top of it,
the requests-compatible API.

Transport names (re-exported from private modules):
"""

from tether.http._transport import (
    AsyncHTTPTransport as AsyncHTTPTransport,
)
from tether.http._transport import (
    HTTPTransport as HTTPTransport,
)
from tether.http._types import (
    AsyncBaseTransport as AsyncBaseTransport,
)
from tether.http._types import (
    BaseTransport as BaseTransport,
)
from tether.http._types import (
    Proxy as Proxy,
)
from tether.http._types import (
    ProxyError as ProxyError,
)
from tether.http._types import (
    RawRequest as RawRequest,
)
from tether.http._types import (
    RawResponse as RawResponse,
)
