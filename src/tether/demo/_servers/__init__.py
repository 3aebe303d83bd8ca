"""The demo's embedded loopback servers: HTTP(S), SMTP (aiosmtpd) and POP3.

They are demo infrastructure, not protocol implementations tether ships for use: each
is small, bounded and correct for the exchanges the demo and the command-line examples
make. All of them run on one asyncio event loop in a daemon thread
(:class:`ServerLoop`), so the demo's steps can use tether's blocking API from the main
thread and its async API from their own event loops at the same time.
"""

from tether.demo._servers._loop import ServerLoop as ServerLoop
from tether.demo._servers.http import DemoHTTPServer as DemoHTTPServer
from tether.demo._servers.mailstore import MailStore as MailStore
from tether.demo._servers.pop3 import DemoPOP3Server as DemoPOP3Server
from tether.demo._servers.smtp import DemoSMTPServer as DemoSMTPServer

__all__ = ["DemoHTTPServer", "DemoPOP3Server", "DemoSMTPServer", "MailStore", "ServerLoop"]
