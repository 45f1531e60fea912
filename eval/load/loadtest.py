"""`rag loadtest`: many concurrent clients against a live `rag serve`, for a fixed time.

Starts `rag serve` on a free 127.0.0.1 port with a temporary data dir over a copy of seeds/
(or uses `--url`), waits for /health, then runs N httpx async clients for T seconds asking
seed questions from eval/qa.jsonl through /ask and /ask/stream, honouring Retry-After on 503.
With `--replicas N` it starts a `chroma run` server, ingests once and starts N `rag serve`
processes sharing it, the data and corpus folders and the LLM server; requests then go to the
replicas in turn, as a round-robin reverse proxy sends them (several `--url` do the same).
Reports status counts, contract-valid answers, throughput, latency percentiles, the servers'
resident memory over time and whether they are still alive; writes summary.json and report.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.load.servers import (
    chroma_server,
    copy_corpus,
    fake_llm_server,
    ingest,
    replica_env,
    replicas,
    wait_healthy,
)
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
        "--warm-up",
        type=float,
        default=0.0,
        help="hold the same load this many seconds first, not counted (fills the servers' caches)",
    )
    parser.add_argument(
        "--stream-share", type=float, default=0.25, help="share of requests sent to /ask/stream"
    )
    parser.add_argument("--qa", type=Path, default=DEFAULT_QA, help="questions (JSON Lines, eval format)")
    parser.add_argument(
        "--url",
        action="append",
        help="test this running server instead of starting one; repeat it for replicas (requests go round-robin)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="rag serve processes to start over one started Chroma server (default 1); requests go round-robin",
    )
    parser.add_argument(
        "--chroma-server",
        action="store_true",
        help="index in a started `chroma run` server, ingested once (implied by --replicas above 1)",
    )
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
    late_status: int | None = None  # a stream that said 200, then failed: the status in its `error` event
    error: str = ""
    url: str = ""  # the replica that was asked


@dataclass
class RssSampler:
    """Reads the resident memory of the server processes (summed over replicas) once a second."""

    pids: Sequence[int]
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, KiB)

    def read(self) -> int | None:
        """The summed RSS in KiB; None when no process could be read (all gone)."""
        sizes = [kib for kib in map(_rss_kib, self.pids) if kib is not None]
        return sum(sizes) if sizes else None

    async def run(self, started: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            kib = self.read()
            if kib is not None:
                self.samples.append((time.monotonic() - started, kib))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, every core together."""
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


@dataclass
class CpuMeter:
    """The CPU the server processes and the whole machine used between start() and stop()."""

    pids: Sequence[int]
    _start: tuple[float, int, int] = field(default=(0.0, 0, 0), init=False)

    def start(self) -> None:
        self._start = (sum(map(_process_cpu_s, self.pids)), *_machine_ticks())

    def stop(self, elapsed: float, answers: int) -> dict[str, Any]:
        servers_s = sum(map(_process_cpu_s, self.pids)) - self._start[0]
        busy, total = _machine_ticks()
        busy, total = busy - self._start[1], total - self._start[2]
        return {
            "servers_s": round(servers_s, 1),
            "servers_cores_busy": round(servers_s / elapsed, 2) if elapsed else None,
            "servers_s_per_answer": round(servers_s / answers, 3) if answers else None,
            "machine_busy_pct": round(100 * busy / total, 1) if total else None,
            "machine_cores": os.cpu_count(),
        }


class RoundRobin:
    """The replicas' base URLs in turn, one per request, as a round-robin reverse proxy sends them."""

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise ValueError("no server to send requests to")
        self.urls = list(urls)
        self._next = itertools.cycle(self.urls)

    def __call__(self) -> str:
        return next(self._next)


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


async def _one(client: Any, url: str, path: str, question: str) -> tuple[Outcome, float]:
    """Send one question to the server at `url`; returns the outcome and how long to wait before
    the next (Retry-After)."""
    started = time.monotonic()
    try:
        if path == "/ask/stream":
            async with client.stream("POST", url + path, json={"question": question}) as response:
                body = (await response.aread()).decode("utf-8", errors="replace")
        else:
            response = await client.post(url + path, json={"question": question})
            body = response.text
    except Exception as exc:  # the server went away, a client timeout: counted, never raised
        took = time.monotonic() - started
        return Outcome(path, None, took, error=f"{type(exc).__name__}: {exc}", url=url), 0.0
    outcome = Outcome(path, response.status_code, time.monotonic() - started, url=url)
    if response.status_code == 200:
        if path == "/ask/stream":
            event = final_event(body)
            payload = event[1] if event and event[0] == "final" else None
            if event and event[0] == "error":
                outcome.error = str(event[1])
                late = event[1].get("status") if isinstance(event[1], dict) else None
                outcome.late_status = late if isinstance(late, int) else 0
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
    url: str | Sequence[str],
    questions: Sequence[str],
    clients: int,
    seconds: float,
    stream_share: float = 0.25,
    server_pids: Sequence[int] = (),
    seed: int = 0,
    request_timeout: float = 180.0,
) -> dict[str, Any]:
    """Hold `clients` concurrent clients for `seconds` against the server at `url`, or against
    several replicas in turn; returns the measured summary."""
    import httpx

    replica = RoundRobin([url] if isinstance(url, str) else url)
    outcomes: list[Outcome] = []
    stop_sampling = asyncio.Event()
    sampler = RssSampler(server_pids) if server_pids else None
    cpu = CpuMeter(server_pids)
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(timeout=request_timeout, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        sampling = asyncio.create_task(sampler.run(started, stop_sampling)) if sampler else None
        cpu.start()

        async def worker(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            while time.monotonic() < deadline:
                path = "/ask/stream" if rng.random() < stream_share else "/ask"
                outcome, wait = await _one(client, replica(), path, rng.choice(questions))
                outcomes.append(outcome)
                if wait:  # honour Retry-After, but never past the end of the run
                    await asyncio.sleep(max(0.0, min(wait, deadline - time.monotonic())))

        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.monotonic() - started
        used = cpu.stop(elapsed, sum(o.status == 200 for o in outcomes))
        stop_sampling.set()
        if sampling:
            await sampling
        health = {base: await _health(client, base) for base in replica.urls}
    summary = summarise(outcomes, elapsed, clients, seconds, sampler.samples if sampler else [], health)
    return summary | {"cpu": used}


async def _health(client: Any, url: str) -> int | str:
    """GET /health's status code, or the error's name when the server is gone."""
    try:
        return int((await client.get(url + "/health", timeout=30)).status_code)
    except Exception as exc:
        return type(exc).__name__


def overall_health(health: dict[str, int | str]) -> int | dict[str, int | str]:
    """200 when every replica's /health said 200, else what each one said."""
    return 200 if all(status == 200 for status in health.values()) else health


def _percentile(values: Sequence[float], share: float) -> float | None:
    return percentile(values, 100 * share) if values else None


def summarise(
    outcomes: Sequence[Outcome],
    elapsed: float,
    clients: int,
    seconds: float,
    rss: Sequence[tuple[float, int]],
    health: dict[str, int | str],
) -> dict[str, Any]:
    """Counts, throughput, latency and memory figures of a run."""
    statuses = Counter(str(o.status) for o in outcomes)
    ok = [o for o in outcomes if o.status == 200]
    busy = [o for o in outcomes if o.status == 503]
    other = {s: n for s, n in statuses.items() if s not in {"200", "503"}}
    answered = [o for o in ok if o.late_status is None]  # not a stream that failed after its 200
    late = Counter(str(o.late_status) for o in ok if o.late_status is not None)
    latencies = [o.seconds for o in answered]
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
        "stream_200_then_busy": late.get("503", 0),
        "stream_200_then_error": dict(late),
        "busy_503": len(busy),
        "busy_503_with_retry_after": sum(o.retry_after for o in busy),
        "other_status": other,
        "client_errors": [o.error for o in outcomes if o.status is None][:10],
        "answers_per_s": round(len(answered) / elapsed, 3) if elapsed else 0.0,
        "latency_200_p50_s": _round(_percentile(latencies, 0.5)),
        "latency_200_p95_s": _round(_percentile(latencies, 0.95)),
        "latency_200_max_s": _round(max(latencies, default=None)),
        "rss": memory,
        "by_replica": {
            url: {
                "requests": sum(o.url == url for o in outcomes),
                "answers": sum(o.url == url for o in answered),
            }
            for url in health
        },
        "health_after": overall_health(health),
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
    failed = {status: n for status, n in summary["stream_200_then_error"].items() if status != "503"}
    if failed:
        found.append(f"streams that said 200, then failed with {failed}")
    broken = summary["ok_200"] - summary["valid_200"] - sum(summary["stream_200_then_error"].values())
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
        (
            "streams that said 200, then failed (status in the error event)",
            str(summary["stream_200_then_error"] or 0),
        ),
        ("any other status", str(summary["other_status"] or 0)),
        ("requests without an answer", str(len(summary["client_errors"]))),
        ("throughput (200s that ended in an answer)", f"{summary['answers_per_s']} answers/s"),
        (
            "latency of those answers p50 / p95 / max",
            f"{summary['latency_200_p50_s']} / {summary['latency_200_p95_s']} / {summary['latency_200_max_s']} s",
        ),
    ]
    spread = summary.get("by_replica", {})
    if len(spread) > 1:
        rows.append(
            (
                "replicas: requests / answers each",
                ", ".join(f"{each['requests']} / {each['answers']}" for each in spread.values()),
            )
        )
    if "after_warm_up_mib" in memory:
        rows.append(
            (
                "server RSS after warm-up → end (max), all replicas",
                f"{memory['after_warm_up_mib']} → {memory['end_mib']} MiB (max {memory['max_mib']}, "
                f"growth {memory['growth_end_pct']}% / max {memory['growth_max_pct']}%)",
            )
        )
    cpu = summary.get("cpu")
    if cpu and cpu["servers_s"]:
        rows.append(
            (
                "CPU: servers' cores busy, s per answer; whole machine busy",
                f"{cpu['servers_cores_busy']}, {cpu['servers_s_per_answer']} s; "
                f"{cpu['machine_busy_pct']}% of {cpu['machine_cores']} cores",
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
    warm = summary.get("warm_up")
    if warm:
        rows.insert(
            0,
            (
                "warm-up before (not counted)",
                f"{warm['seconds']:g} s, {warm['requests']} requests {warm['statuses']}",
            ),
        )
    lines = ["# rag loadtest", "", *markdown_table(("measure", "value"), rows)]
    found = problems(summary)
    lines += ["", "**Problems:** " + ("; ".join(found) if found else "none")]
    return "\n".join(lines) + "\n"


def write_outputs(summary: dict[str, Any], out_dir: Path) -> Path:
    """summary.json and report.md in `out_dir`; returns the report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    report = out_dir / "report.md"
    report.write_text(markdown(summary))
    return report


def run(args: argparse.Namespace, measure: Callable[..., dict[str, Any]] | None = None) -> int:
    """The command: start (or reach) the servers, hold the load, report. Exit 1 on problems."""
    questions = load_questions(args.qa)
    out_dir = args.out or Path("data/loadtest") / time.strftime("%Y%m%d-%H%M%S")
    measure = _with_warm_up(measure or (lambda **kw: asyncio.run(run_load(**kw))), args.warm_up)
    load = {"questions": questions, "clients": args.clients, "seconds": args.seconds}
    load |= {"stream_share": args.stream_share, "seed": args.seed}
    if args.url:
        for url in args.url:
            wait_healthy(url, timeout=60)
        summary = measure(url=args.url, **load)
    else:
        served_by_server = bool(args.llm_url or args.fake_llm)
        if not served_by_server and not args.llm.exists():
            print(f"error: {args.llm} is missing: run `rag prepare` (or pass --llm)", file=sys.stderr)
            return 2
        if args.replicas < 1:
            print("error: --replicas must be at least 1", file=sys.stderr)
            return 2
        out_dir.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.TemporaryDirectory(prefix="rag-loadtest-") as tmp,
            _servers(args, Path(tmp), out_dir) as (
                started,
                llm_url,
            ),
        ):
            urls = [url for url, _ in started]
            print(f"{', '.join(urls)} ready; {args.clients} clients for {args.seconds:g} s", flush=True)
            summary = measure(url=urls, server_pids=[process.pid for _, process in started], **load)
            summary["server_alive"] = all(process.poll() is None for _, process in started)
            summary["replicas"] = len(started)
            summary["store"] = "chroma server" if _shared_store(args) else "embedded"
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


def _with_warm_up(measure: Callable[..., dict[str, Any]], seconds: float) -> Callable[..., dict[str, Any]]:
    """`measure`, after the same load for `seconds` whose figures are only counted in "warm_up"."""
    if seconds <= 0:
        return measure

    def measured(**load: Any) -> dict[str, Any]:
        print(f"warming up for {seconds:g} s ...", flush=True)
        warm = measure(**(load | {"seconds": seconds}))
        done = {"seconds": seconds, "requests": warm["requests"], "statuses": warm["statuses"]}
        return measure(**load) | {"warm_up": done}

    return measured


def _shared_store(args: argparse.Namespace) -> bool:
    return bool(args.chroma_server or args.replicas > 1)


def server_settings(args: argparse.Namespace, llm_url: str | None, chroma_port: int | None) -> dict[str, str]:
    """The RAG_* variables every started replica gets on top of its data and corpus folders."""
    settings = {"RAG_SERVER__MODEL_CONCURRENCY": str(args.model_concurrency)}
    if args.queue_size is not None:
        settings["RAG_SERVER__QUEUE_SIZE"] = str(args.queue_size)
    if llm_url:
        settings |= {
            "RAG_LLM__BACKEND": "openai",
            "RAG_LLM__BASE_URL": llm_url,
            "RAG_LLM__MODEL": args.llm_model,
        }
    if chroma_port is not None:
        settings |= {"RAG_STORE__HOST": "127.0.0.1", "RAG_STORE__PORT": str(chroma_port)}
    return settings


def replica_logs(out_dir: Path, count: int) -> list[Path]:
    """server.log for one replica; server-1.log, server-2.log, ... for several."""
    if count == 1:
        return [out_dir / "server.log"]
    return [out_dir / f"server-{number}.log" for number in range(1, count + 1)]


@contextmanager
def _servers(
    args: argparse.Namespace, work_dir: Path, out_dir: Path
) -> Iterator[tuple[list[tuple[str, Any]], str | None]]:
    """The started replicas as (URL, process), and the LLM server's URL (None: in process)."""
    with ExitStack() as stack:
        llm_url = args.llm_url
        if args.fake_llm:
            llm_url = stack.enter_context(
                fake_llm_server(args.fake_latency, args.fake_tokens_per_s, args.fake_slots)
            )
        chroma_port = None
        if _shared_store(args):
            chroma_port = stack.enter_context(chroma_server(work_dir / "chroma", out_dir / "chroma.log"))
        copy_corpus(args.corpus, work_dir)
        env = replica_env(work_dir, args.llm, server_settings(args, llm_url, chroma_port))
        if chroma_port is not None:
            print(f"ingesting {args.corpus} once into the Chroma server ...", flush=True)
            ingest(env, out_dir / "ingest.log")
        logs = replica_logs(out_dir, args.replicas)
        print(f"starting {args.replicas} rag serve over {args.corpus} (logs: {out_dir}) ...", flush=True)
        yield stack.enter_context(replicas(env, logs)), llm_url
