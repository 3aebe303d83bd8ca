"""Request hooks, as in requests: ``hooks={"response": callable_or_list}``.

A response hook is called as ``hook(response, **send_kwargs)`` after each response
(including those of redirects); if it returns something other than ``None``, that
replaces the response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["HOOKS", "default_hooks", "dispatch_hook"]

HOOKS = ["response"]


def default_hooks() -> dict[str, list[Callable[..., Any]]]:
    return {event: [] for event in HOOKS}


def dispatch_hook(key: str, hooks: Mapping[str, Any] | None, hook_data: Any,
                  **kwargs: Any) -> Any:
    """Run the hooks registered for ``key`` over ``hook_data``."""
    selected: Any = (hooks or {}).get(key)
    if selected:
        if callable(selected):
            selected = [selected]
        for hook in selected if isinstance(selected, Iterable) else ():
            result = hook(hook_data, **kwargs)
            if result is not None:
                hook_data = result
    return hook_data
