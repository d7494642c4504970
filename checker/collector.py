"""Pause the cyclic garbage collector while a large result is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a step builds many objects.

    Loading a large manifest or reading a large organization creates millions
    of objects and no reference cycles. Their allocations still trigger
    collections that walk every object built so far. Measured here, these
    made loading a 100,000-tenant manifest 1.8 times slower and stalled a
    concurrent read of as many tenants for 0.8 s. On the way out, freezing and unfreezing
    moves every tracked object to the oldest generation, so the next young
    collection does not walk the whole result first: it stays collectable
    by the next full collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()
