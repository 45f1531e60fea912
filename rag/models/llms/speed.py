"""Prompt and generation speed of a GGUF on this machine, from llama.cpp's own timings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# A prompt the model continues for the whole token budget (no early end of text).
PROMPT = (
    "Below is a long list of the numbers from one to five hundred, written out in words and "
    "separated by commas, with nothing else before or after it.\n\n"
    "one, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, thirteen, fourteen, "
    "fifteen, sixteen, seventeen, eighteen, nineteen, twenty, twenty-one, twenty-two, twenty-three, "
    "twenty-four, twenty-five, twenty-six, twenty-seven, twenty-eight, twenty-nine, thirty, thirty-one, "
    "thirty-two, thirty-three, thirty-four, thirty-five, thirty-six, thirty-seven, thirty-eight,"
)


@dataclass(frozen=True)
class Speed:
    """Tokens per second reading the prompt and writing the reply."""

    prompt_tokens: int
    prompt_tps: float
    generated_tokens: int
    generate_tps: float


def _rate(tokens: int, ms: float) -> float:
    return tokens / ms * 1000 if ms > 0 else 0.0


def measure_gguf(path: Path, threads: int, max_tokens: int = 64, runs: int = 3, seed: int = 0) -> Speed:
    """Load the GGUF, run greedy completions and read llama.cpp's performance counters.

    The fastest of `runs` is kept: on a shared CPU the slower runs measure the other processes.
    """
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(path), n_ctx=1024, n_threads=threads, seed=seed, verbose=False)
    measured: list[Speed] = []
    try:
        llm.create_completion("Hello", max_tokens=1, temperature=0.0)  # warm-up: page the weights in
        for _ in range(max(1, runs)):
            llm.reset()  # no prompt cache: every run reads the whole prompt
            llama_cpp.llama_perf_context_reset(llm.ctx)
            llm.create_completion(PROMPT, max_tokens=max_tokens, temperature=0.0)
            perf = llama_cpp.llama_perf_context(llm.ctx)
            measured.append(
                Speed(
                    perf.n_p_eval,
                    _rate(perf.n_p_eval, perf.t_p_eval_ms),
                    perf.n_eval,
                    _rate(perf.n_eval, perf.t_eval_ms),
                )
            )
    finally:
        llm.close()
    return Speed(
        prompt_tokens=measured[-1].prompt_tokens,
        prompt_tps=max(m.prompt_tps for m in measured),
        generated_tokens=measured[-1].generated_tokens,
        generate_tps=max(m.generate_tps for m in measured),
    )
