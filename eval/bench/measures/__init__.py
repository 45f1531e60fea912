"""One module per measurement: ingest, retrieval, answer, memory; shared helpers here."""

from __future__ import annotations

import os
import time

from eval.scoring.metrics import percentile

__all__ = ["percentile"]


def _busy_seconds() -> float | None:
    """CPU seconds all processes have spent busy since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class OtherLoad:
    """How much of the machine other processes used while a measurement ran.

    `share` is their CPU time over wall time times cores: 0 means the measurement had the
    machine to itself, 0.5 means others kept half of all cores busy (timings then contended).
    """

    def __init__(self) -> None:
        self._busy = _busy_seconds()
        self._own = _own_seconds()
        self._wall = time.perf_counter()

    def share(self) -> float | None:
        busy = _busy_seconds()
        if busy is None or self._busy is None:
            return None
        wall = time.perf_counter() - self._wall
        others = (busy - self._busy) - (_own_seconds() - self._own)
        return max(0.0, others / (wall * (os.cpu_count() or 1))) if wall > 0 else 0.0
