"""Peak resident memory: of this process, and of a fresh process that loads the default models.

Run as `python -m eval.bench.measures.memory SETTINGS_JSON QUESTION` it builds the service the
way `rag serve` does (embedder, BM25, LLM), answers one question and prints its peak RSS.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB.

    /proc/self/status VmHWM first: getrusage's ru_maxrss survives exec, so a child started from
    a large process would report its parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def served_peak_rss(settings_json: str, question: str, timeout_s: float = 600) -> dict[str, float]:
    """Peak RSS of a separate process that loads the served models and answers `question`."""
    done = subprocess.run(
        [sys.executable, "-m", "eval.bench.measures.memory", settings_json, question],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout_s,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _main(settings_json: str, question: str) -> None:
    from rag.service import RagService
    from rag.settings import Settings

    started = time.perf_counter()
    service = RagService(Settings.model_validate_json(settings_json))
    service.warm_up()
    loaded = time.perf_counter()
    service.ask(question)
    print(
        json.dumps(
            {
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "load_s": round(loaded - started, 2),
                "first_answer_s": round(time.perf_counter() - loaded, 2),
            }
        )
    )


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
