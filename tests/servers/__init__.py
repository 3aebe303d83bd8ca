"""Real servers for tests, as pytest fixtures (see _harness.py)."""
