"""`rag loadtest`: many concurrent clients against a live `rag serve`, for a fixed time.

Starts `rag serve` on a free 127.0.0.1 port with a temporary data dir over a copy of seeds/
(or uses `--url`), waits for /health, then runs N httpx async clients for T seconds asking
seed questions from eval/qa.jsonl through /ask and /ask/stream, honouring Retry-After on 503.
Reports status counts, contract-valid answers, throughput, latency percentiles, the server's
resident memory over time and whether it is still alive; writes summary.json and report.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.scoring.metrics import percentile
from eval.tables import markdown_table

DEFAULT_QA = Path("eval/qa.jsonl")
DEFAULT_MODEL = Path("data/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
WARM_UP_SHARE = 0.2  # RSS growth is measured from the end of this share of the run (at most 10 s)
RSS_FLAT_LIMIT = 0.20  # the bar: memory flat within 20% after warm-up


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `loadtest` subcommand to the `rag` parser."""
    parser = commands.add_parser(
        "loadtest", help="hold N concurrent clients against a live server for T seconds"
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send (default 60)")
    parser.add_argument(
        "--stream-share", type=float, default=0.25, help="share of requests sent to /ask/stream"
    )
    parser.add_argument("--qa", type=Path, default=DEFAULT_QA, help="questions (JSON Lines, eval format)")
    parser.add_argument("--url", help="test this running server instead of starting one")
    parser.add_argument("--llm", type=Path, default=DEFAULT_MODEL, help="GGUF for the started server")
    parser.add_argument("--corpus", type=Path, default=Path("seeds"), help="articles the server indexes")
    parser.add_argument("--out", type=Path, help="run folder (default: data/loadtest/<timestamp>)")
    parser.add_argument("--seed", type=int, default=0, help="question order")
    server = parser.add_argument_group("the started server's LLM (default: --llm in process)")
    server.add_argument("--llm-url", help="an OpenAI-compatible LLM server (ends in /v1) instead of --llm")
    server.add_argument("--llm-model", default="fake", help="the model name that server lists")
    server.add_argument(
        "--fake-llm", action="store_true", help="start eval.load.fake_llm and use it (simulated model time)"
    )
    server.add_argument("--fake-latency", type=float, default=0.5, help="fake: seconds to the first token")
    server.add_argument("--fake-tokens-per-s", type=float, default=40.0, help="fake: tokens/s per request")
    server.add_argument("--fake-slots", type=int, default=8, help="fake: requests it generates at once")
    server.add_argument(
        "--model-concurrency", type=int, default=1, help="RAG_SERVER__MODEL_CONCURRENCY of the started server"
    )
    server.add_argument("--queue-size", type=int, help="RAG_SERVER__QUEUE_SIZE of the started server")
    parser.set_defaults(handler=run)


@dataclass
class Outcome:
    """One request as a client saw it."""

    path: str
    status: int | None  # None: no HTTP answer (connection error, client timeout)
    seconds: float
    valid: bool = False  # a 200 whose answer passed the contract
    refused: bool = False
    retry_after: bool = False  # a 503 that carried Retry-After
    late_busy: bool = False  # a stream that said 200, then reported a full queue in an `error` event
    error: str = ""


@dataclass
class RssSampler:
    """Reads a process's resident memory once a second."""

    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, KiB)

    def read(self) -> int | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            return None
        return None

    async def run(self, started: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            kib = self.read()
            if kib is not None:
                self.samples.append((time.monotonic() - started, kib))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


def load_questions(path: Path) -> list[str]:
    """The questions of a Q&A file (eval/qa.jsonl format)."""
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]


def validate_answer(payload: object) -> bool:
    """True when `payload` is the answer contract (rag.types.Answer) with sane citations."""
    from pydantic import ValidationError

    from rag.types import Answer

    try:
        answer = Answer.model_validate(payload)
    except ValidationError:
        return False
    if answer.refused:
        return not answer.citations
    return bool(answer.answer.strip()) and all(
        c.end - c.start == len(c.quote) and c.quote for c in answer.citations
    )


def final_event(body: str) -> tuple[str, Any] | None:
    """The last Server-Sent Event of a stream as (name, data)."""
    last = None
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields and "data" in fields:
            last = (fields["event"], json.loads(fields["data"]))
    return last


async def _one(client: Any, path: str, question: str) -> tuple[Outcome, float]:
    """Send one question; returns the outcome and how long to wait before the next (Retry-After)."""
    started = time.monotonic()
    try:
        if path == "/ask/stream":
            async with client.stream("POST", path, json={"question": question}) as response:
                body = (await response.aread()).decode("utf-8", errors="replace")
        else:
            response = await client.post(path, json={"question": question})
            body = response.text
    except Exception as exc:  # the server went away, a client timeout: counted, never raised
        return Outcome(path, None, time.monotonic() - started, error=f"{type(exc).__name__}: {exc}"), 0.0
    outcome = Outcome(path, response.status_code, time.monotonic() - started)
    if response.status_code == 200:
        if path == "/ask/stream":
            event = final_event(body)
            payload = event[1] if event and event[0] == "final" else None
            if event and event[0] == "error":
                outcome.error = str(event[1])
                outcome.late_busy = isinstance(event[1], dict) and event[1].get("status") == 503
        else:
            payload = json.loads(body)
        outcome.valid = payload is not None and validate_answer(payload)
        outcome.refused = bool(outcome.valid and payload is not None and payload["refused"])
        return outcome, 0.0
    if response.status_code == 503:
        header = response.headers.get("retry-after", "")
        outcome.retry_after = header.isdigit()
        return outcome, float(header) if header.isdigit() else 1.0
    outcome.error = body[:300]
    return outcome, 0.0


async def run_load(
    url: str,
    questions: Sequence[str],
    clients: int,
    seconds: float,
    stream_share: float = 0.25,
    server_pid: int | None = None,
    seed: int = 0,
    request_timeout: float = 180.0,
) -> dict[str, Any]:
    """Hold `clients` concurrent clients for `seconds`; returns the measured summary."""
    import httpx

    outcomes: list[Outcome] = []
    stop_sampling = asyncio.Event()
    sampler = RssSampler(server_pid) if server_pid else None
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=request_timeout, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        sampling = asyncio.create_task(sampler.run(started, stop_sampling)) if sampler else None

        async def worker(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            while time.monotonic() < deadline:
                path = "/ask/stream" if rng.random() < stream_share else "/ask"
                outcome, wait = await _one(client, path, rng.choice(questions))
                outcomes.append(outcome)
                if wait:  # honour Retry-After, but never past the end of the run
                    await asyncio.sleep(max(0.0, min(wait, deadline - time.monotonic())))

        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.monotonic() - started
        stop_sampling.set()
        if sampling:
            await sampling
        health: int | str | None = None
        try:
            health = (await client.get("/health", timeout=30)).status_code
        except Exception as exc:  # the server is gone
            health = f"{type(exc).__name__}"
    return summarise(outcomes, elapsed, clients, seconds, sampler.samples if sampler else [], health)


def _percentile(values: Sequence[float], share: float) -> float | None:
    return percentile(values, 100 * share) if values else None


def summarise(
    outcomes: Sequence[Outcome],
    elapsed: float,
    clients: int,
    seconds: float,
    rss: Sequence[tuple[float, int]],
    health: object,
) -> dict[str, Any]:
    """Counts, throughput, latency and memory figures of a run."""
    statuses = Counter(str(o.status) for o in outcomes)
    ok = [o for o in outcomes if o.status == 200]
    busy = [o for o in outcomes if o.status == 503]
    other = {s: n for s, n in statuses.items() if s not in {"200", "503"}}
    latencies = [o.seconds for o in ok]
    warm_up = min(10.0, WARM_UP_SHARE * seconds)
    after = [kib for t, kib in rss if t >= warm_up]
    rss_warm = after[0] if after else None
    memory: dict[str, Any] = {"samples": len(rss)}
    if rss_warm:
        memory |= {
            "warm_up_s": warm_up,
            "after_warm_up_mib": round(rss_warm / 1024, 1),
            "end_mib": round(after[-1] / 1024, 1),
            "max_mib": round(max(after) / 1024, 1),
            "growth_end_pct": round(100 * (after[-1] - rss_warm) / rss_warm, 1),
            "growth_max_pct": round(100 * (max(after) - rss_warm) / rss_warm, 1),
        }
        memory["flat_within_20pct"] = memory["growth_max_pct"] <= 100 * RSS_FLAT_LIMIT
    return {
        "clients": clients,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 1),
        "requests": len(outcomes),
        "by_path": dict(Counter(o.path for o in outcomes)),
        "statuses": dict(statuses),
        "ok_200": len(ok),
        "valid_200": sum(o.valid for o in ok),
        "invalid_200": [o.error or o.path for o in ok if not o.valid][:10],
        "refused_200": sum(o.refused for o in ok),
        "stream_200_then_busy": sum(o.late_busy for o in ok),
        "busy_503": len(busy),
        "busy_503_with_retry_after": sum(o.retry_after for o in busy),
        "other_status": other,
        "client_errors": [o.error for o in outcomes if o.status is None][:10],
        "answers_per_s": round(len(ok) / elapsed, 3) if elapsed else 0.0,
        "latency_200_p50_s": _round(_percentile(latencies, 0.5)),
        "latency_200_p95_s": _round(_percentile(latencies, 0.95)),
        "latency_200_max_s": _round(max(latencies, default=None)),
        "rss": memory,
        "health_after": health,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def problems(summary: dict[str, Any]) -> list[str]:
    """What breaks the load contract: any status but 200/503, a 503 without Retry-After,
    an invalid 200, a client error, a dead server."""
    found = []
    if summary["other_status"]:
        found.append(f"statuses other than 200/503: {summary['other_status']}")
    if summary["busy_503_with_retry_after"] != summary["busy_503"]:
        found.append("a 503 without Retry-After")
    if summary["stream_200_then_busy"]:
        found.append(f"{summary['stream_200_then_busy']} streams said 200, then reported a full queue")
    broken = summary["ok_200"] - summary["valid_200"] - summary["stream_200_then_busy"]
    if broken:
        found.append(f"{broken} answers broke the contract")
    if summary["client_errors"]:
        found.append(f"requests without an HTTP answer: {summary['client_errors'][:3]}")
    if summary.get("server_alive") is False or summary["health_after"] != 200:
        found.append(f"server not healthy after the run (health: {summary['health_after']})")
    return found


def markdown(summary: dict[str, Any]) -> str:
    """A short report of a run."""
    memory = summary["rss"]
    rows = [
        (
            "clients × seconds",
            f"{summary['clients']} × {summary['seconds']:g} (ran {summary['elapsed_s']} s)",
        ),
        ("requests (/ask, /ask/stream)", f"{summary['requests']} {summary['by_path']}"),
        (
            "200 / contract-valid / refused",
            f"{summary['ok_200']} / {summary['valid_200']} / {summary['refused_200']}",
        ),
        ("503 / with Retry-After", f"{summary['busy_503']} / {summary['busy_503_with_retry_after']}"),
        ("streams that said 200, then 503 in an error event", str(summary["stream_200_then_busy"])),
        ("any other status", str(summary["other_status"] or 0)),
        ("requests without an answer", str(len(summary["client_errors"]))),
        ("throughput", f"{summary['answers_per_s']} answers/s"),
        (
            "latency of 200s p50 / p95 / max",
            f"{summary['latency_200_p50_s']} / {summary['latency_200_p95_s']} / {summary['latency_200_max_s']} s",
        ),
    ]
    if "after_warm_up_mib" in memory:
        rows.append(
            (
                "server RSS after warm-up → end (max)",
                f"{memory['after_warm_up_mib']} → {memory['end_mib']} MiB (max {memory['max_mib']}, "
                f"growth {memory['growth_end_pct']}% / max {memory['growth_max_pct']}%)",
            )
        )
    fake = summary.get("fake_llm")
    if fake:
        rows.append(
            (
                "simulated LLM server (latency, tokens/s, slots → requests, peak in flight)",
                f"{fake['latency_s']} s, {fake['tokens_per_s']:g}, {fake['slots']} → {fake['requests']}, "
                f"{fake['peak_in_flight']} (model concurrency {summary.get('model_concurrency', 1)})",
            )
        )
    rows.append(
        ("server alive / health after", f"{summary.get('server_alive', 'n/a')} / {summary['health_after']}")
    )
    lines = ["# rag loadtest", "", *markdown_table(("measure", "value"), rows)]
    found = problems(summary)
    lines += ["", "**Problems:** " + ("; ".join(found) if found else "none")]
    return "\n".join(lines) + "\n"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def started_server(
    corpus: Path, llm: Path, work_dir: Path, log: Path, settings: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`rag serve` on a free local port over a copy of `corpus`, in its own data dir; `settings`
    are extra RAG_* variables (an LLM server, the model concurrency)."""
    shutil.copytree(corpus, work_dir / "corpus")
    port = free_port()
    env = {
        **os.environ,
        "RAG_DATA_DIR": str(work_dir / "data"),
        "RAG_CORPUS_DIR": str(work_dir / "corpus"),
        "RAG_LLM__MODEL_PATH": str(llm.resolve()),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        **(settings or {}),
    }
    command = [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, timeout=600)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def _llm_server(args: argparse.Namespace) -> Iterator[str | None]:
    """The LLM server's /v1 URL: --llm-url, a started fake server (--fake-llm), or None (in process)."""
    if not args.fake_llm:
        yield args.llm_url
        return
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "eval.load.fake_llm",
        "--port",
        str(port),
        "--latency",
        str(args.fake_latency),
        "--tokens-per-s",
        str(args.fake_tokens_per_s),
        "--slots",
        str(args.fake_slots),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=15)


def wait_healthy(url: str, process: subprocess.Popen | None = None, timeout: float = 600) -> None:
    """Wait until GET /health answers 200 with status ok (the index is built, models loaded)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before it was ready")
        try:
            response = httpx.get(url + "/health", timeout=5)
            if response.status_code == 200 and response.json().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url}/health did not answer within {timeout:g} s")


def write_outputs(summary: dict[str, Any], out_dir: Path) -> Path:
    """summary.json and report.md in `out_dir`; returns the report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    report = out_dir / "report.md"
    report.write_text(markdown(summary))
    return report


def run(args: argparse.Namespace, measure: Callable[..., dict[str, Any]] | None = None) -> int:
    """The command: start (or reach) the server, hold the load, report. Exit 1 on problems."""
    questions = load_questions(args.qa)
    out_dir = args.out or Path("data/loadtest") / time.strftime("%Y%m%d-%H%M%S")
    measure = measure or (lambda **kw: asyncio.run(run_load(**kw)))
    load = {"questions": questions, "clients": args.clients, "seconds": args.seconds}
    load |= {"stream_share": args.stream_share, "seed": args.seed}
    if args.url:
        wait_healthy(args.url, timeout=60)
        summary = measure(url=args.url, **load)
    else:
        served_by_server = bool(args.llm_url or args.fake_llm)
        if not served_by_server and not args.llm.exists():
            print(f"error: {args.llm} is missing: run `rag prepare` (or pass --llm)", file=sys.stderr)
            return 2
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="rag-loadtest-") as tmp, _llm_server(args) as llm_url:
            settings = {"RAG_SERVER__MODEL_CONCURRENCY": str(args.model_concurrency)}
            if args.queue_size is not None:
                settings["RAG_SERVER__QUEUE_SIZE"] = str(args.queue_size)
            if llm_url:
                settings |= {
                    "RAG_LLM__BACKEND": "openai",
                    "RAG_LLM__BASE_URL": llm_url,
                    "RAG_LLM__MODEL": args.llm_model,
                }
            print(f"starting rag serve over {args.corpus} (log: {out_dir / 'server.log'}) ...", flush=True)
            with started_server(args.corpus, args.llm, Path(tmp), out_dir / "server.log", settings) as (
                url,
                process,
            ):
                print(f"{url} is ready; {args.clients} clients for {args.seconds:g} s", flush=True)
                summary = measure(url=url, server_pid=process.pid, **load)
                summary["server_alive"] = process.poll() is None
                summary["model_concurrency"] = args.model_concurrency
                if args.fake_llm and llm_url:
                    import httpx

                    summary["fake_llm"] = {
                        "latency_s": args.fake_latency,
                        "tokens_per_s": args.fake_tokens_per_s,
                        "slots": args.fake_slots,
                        **httpx.get(llm_url.removesuffix("/v1") + "/stats", timeout=10).json(),
                    }
    report = write_outputs(summary, out_dir)
    print(report.read_text())
    print(f"written to {out_dir}")
    return 1 if problems(summary) else 0
