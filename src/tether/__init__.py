"""tether: client-side network protocols for Python, written from the socket up."""

from tether._version import __version__ as __version__
from tether.errors import TetherError as TetherError
from tether.net import TimeoutConfig as TimeoutConfig

__all__ = ["TetherError", "TimeoutConfig", "__version__"]
