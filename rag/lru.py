"""A small thread-safe LRU map: repeated texts skip the embedder, read passages skip the model."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from threading import Lock
from typing import Generic, TypeVar

V = TypeVar("V")
K = TypeVar("K", bound=Hashable)


class LRU(Generic[V]):
    """Maps keys to computed values, keeping the most recently used within `size`: a number of
    items, or with `weight`, a total weight (`weight=len` bounds the bytes held). `hits` and
    `misses` count what `find` found."""

    def __init__(self, size: int, weight: Callable[[V], int] | None = None) -> None:
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self.size = size
        self._weight = weight or (lambda _: 1)
        self._held = 0
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def missing(self, keys: Iterable[K]) -> list[K]:
        """The keys not held, each once, in order."""
        with self._lock:
            return list(dict.fromkeys(k for k in keys if k not in self._items))

    def put(self, key: Hashable, value: V) -> None:
        """Hold `value`, dropping the least recently used beyond `size`; a value heavier than
        `size` alone is not held (and drops nothing)."""
        weight = self._weight(value)
        if weight > self.size:
            return
        with self._lock:
            if key in self._items:
                self._held -= self._weight(self._items.pop(key))
            self._items[key] = value
            self._held += weight
            while self._held > self.size:
                _, dropped = self._items.popitem(last=False)
                self._held -= self._weight(dropped)

    def get(self, key: Hashable) -> V:
        """The held value (KeyError when it was never put or was evicted)."""
        with self._lock:
            self._items.move_to_end(key)
            return self._items[key]

    def find(self, key: Hashable) -> V | None:
        """The held value, or None; counted in `hits` and `misses`."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return value

    def get_or_compute(self, key: str, compute: Callable[[str], V]) -> V:
        """The held value, or `compute(key)`, remembered. Computing happens outside the lock."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute(key)
        self.put(key, value)
        return value
