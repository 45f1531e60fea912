"""Helpers for tests that run servers: a free local port, and stopping a child process."""

from __future__ import annotations

import subprocess

from eval.load.loadtest import free_port

__all__ = ["free_port", "stop"]


def stop(process: subprocess.Popen, timeout: float = 15) -> None:  # type: ignore[type-arg]
    """Terminate `process`, and kill it when it does not exit within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
