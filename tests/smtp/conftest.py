"""Fixtures shared by the tether.smtp tests (the servers themselves are in tests/servers)."""

from smtp._sink import dumping_sink as dumping_sink
