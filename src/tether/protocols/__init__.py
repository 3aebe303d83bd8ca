"""Sans-I/O protocol engines: bytes in, events out; commands in, bytes out.

Nothing here touches sockets, clocks, threads or asyncio.
"""
