"""A local Hugging Face model through llama-index's HuggingFaceLLM (the optional `transformers` extra).

Importing this module fails with ImportError when the extra is not installed; the factory turns
that into an error that names the extra. A GGUF file can be loaded too (`gguf_file=`): transformers
dequantizes it to float32, which works but is slow and takes about 8 bytes per parameter of memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import transformers
from llama_index.llms.huggingface import HuggingFaceLLM

from rag.errors import LLMUnavailableError, ModelFileError
from rag.settings import LLMSettings


def model_source(settings: LLMSettings) -> tuple[str, dict[str, Any]]:
    """What to pass to `from_pretrained`: a folder (or hub name) and, for a GGUF, its file name."""
    if settings.model_path is not None:
        path = settings.model_path.expanduser()
        if not path.is_file():
            raise ModelFileError(
                f"GGUF file {path} does not exist: set RAG_LLM__MODEL_PATH to an existing file."
            )
        return str(path.parent), {"gguf_file": path.name}
    name = settings.model or ""
    local = Path(name).expanduser()
    if local.exists() and not (local / "config.json").is_file():
        raise ModelFileError(
            f"{local} is not a Hugging Face model folder (no config.json): fix RAG_LLM__MODEL."
        )
    return name, {}


def generate_kwargs(settings: LLMSettings) -> dict[str, Any]:
    if settings.temperature == 0:
        return {"do_sample": False}
    return {"do_sample": True, "temperature": settings.temperature}


def load_transformers(settings: LLMSettings) -> HuggingFaceLLM:
    """Load tokenizer and weights on the CPU and wrap them; chat uses the tokenizer's template."""
    source, extra = model_source(settings)
    torch.set_num_threads(settings.threads)
    transformers.set_seed(settings.seed)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, **extra)
        model = transformers.AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, **extra)
    except (OSError, ValueError) as exc:
        raise LLMUnavailableError(f"cannot load Hugging Face model {source!r}: {exc}") from exc
    return HuggingFaceLLM(
        model=model,
        tokenizer=tokenizer,
        model_name=source,
        tokenizer_name=source,
        device_map="cpu",
        context_window=settings.context_window,
        max_new_tokens=settings.max_new_tokens,
        generate_kwargs=generate_kwargs(settings),
        stopping_ids=[tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else [],
        is_chat_model=True,
    )


def check_transformers(settings: LLMSettings) -> str:
    """The extra imports (this module did) and the model folder or GGUF file exists."""
    source, extra = model_source(settings)
    return f"transformers {source}" + (f" ({extra['gguf_file']})" if extra else "")
