"""A small thread-safe LRU map for embeddings: repeated texts skip the embedder."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from threading import Lock
from typing import Generic, TypeVar

V = TypeVar("V")


class LRU(Generic[V]):
    """Maps text to a computed value, keeping the `size` most recently used."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, V] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The keys not held, each once, in order."""
        with self._lock:
            return list(dict.fromkeys(k for k in keys if k not in self._items))

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, key: str) -> V:
        """The held value (KeyError when it was never put or was evicted)."""
        with self._lock:
            self._items.move_to_end(key)
            return self._items[key]

    def get_or_compute(self, key: str, compute: Callable[[str], V]) -> V:
        """The held value, or `compute(key)`, remembered. Computing happens outside the lock."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute(key)
        self.put(key, value)
        return value
