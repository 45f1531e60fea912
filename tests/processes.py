"""Helpers for tests that run servers: a free local port, and stopping a child process."""

from __future__ import annotations

from eval.load.servers import free_port, stop

__all__ = ["free_port", "stop"]
