"""A local GGUF model through llama-cpp-python, prompted with the GGUF's own chat template."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from llama_index.core.llms import ChatMessage

from rag.errors import ModelFileError
from rag.settings import LLMSettings


class GGUFChatTemplate:
    """Renders chat messages with the Jinja template stored in a GGUF file's metadata.

    llama-index's LlamaCPP defaults to a Llama-2 prompt format, which is wrong for Qwen and
    most other models; the template that came with the weights is always right.
    """

    def __init__(self, template: str, bos_token: str, eos_token: str) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._formatter = Jinja2ChatFormatter(template, eos_token=eos_token, bos_token=bos_token)

    @classmethod
    def from_gguf(cls, path: Path) -> GGUFChatTemplate:
        """Read the template and special tokens without loading the weights."""
        from llama_cpp import Llama

        vocab = Llama(model_path=str(path), vocab_only=True, verbose=False)
        template = vocab.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelFileError(f"{path} has no tokenizer.chat_template; use a chat model GGUF.")

        def piece(token_id: int) -> str:
            return vocab.detokenize([token_id], special=True).decode("utf-8", errors="ignore")

        return cls(template, bos_token=piece(vocab.token_bos()), eos_token=piece(vocab.token_eos()))

    def messages_to_prompt(self, messages: Sequence[ChatMessage]) -> str:
        turns = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        # llama-cpp types messages as a union of TypedDicts keyed by role; a role read at run time
        # cannot pick one, and the template reads only these two keys.
        rendered = self._formatter(messages=turns)  # type: ignore[arg-type]
        return rendered.prompt

    def completion_to_prompt(self, completion: str) -> str:
        return self.messages_to_prompt([ChatMessage(role="user", content=completion)])


def load_llamacpp(path: Path, settings: LLMSettings):
    """Load a GGUF file as a llama-index LlamaCPP LLM (always from a local path, never a URL)."""
    from llama_index.llms.llama_cpp import LlamaCPP

    template = GGUFChatTemplate.from_gguf(path)
    try:
        return LlamaCPP(
            model_path=str(path),
            temperature=settings.temperature,
            max_new_tokens=settings.max_new_tokens,
            context_window=settings.context_window,
            model_kwargs={"n_threads": settings.threads, "seed": settings.seed},
            messages_to_prompt=template.messages_to_prompt,
            completion_to_prompt=template.completion_to_prompt,
            verbose=False,
        )
    except ValueError as exc:
        raise ModelFileError(f"cannot load GGUF file {path}: {exc}") from exc
