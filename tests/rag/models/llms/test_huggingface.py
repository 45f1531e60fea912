"""The transformers backend (optional extra): its error without the extra, and a real load of a tiny
model made here (a one-layer Llama, a word-level tokenizer with a chat template), so no hub is needed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from llama_index.core.llms import ChatMessage

from rag.components import check_llm, make_llm
from rag.errors import LLMUnavailableError, ModelFileError
from rag.settings import LLMSettings

# "paris" is token 0: the tiny model below always picks token 0.
VOCAB = [
    "paris",
    "<unk>",
    "<eos>",
    "user",
    "assistant",
    "system",
    ":",
    "what",
    "is",
    "the",
    "capital",
    "of",
    "france",
]
TEMPLATE = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant:"


def _settings(**overrides: object) -> LLMSettings:
    return LLMSettings(**{"backend": "transformers", "max_new_tokens": 8, **overrides})


@pytest.mark.parametrize("check", [True, False])
def test_without_the_extra_the_error_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, check: bool
) -> None:
    monkeypatch.setitem(sys.modules, "llama_index.llms.huggingface", None)  # import fails as if absent
    monkeypatch.delitem(sys.modules, "rag.models.llms.huggingface", raising=False)
    settings = _settings(model=str(tmp_path))
    with pytest.raises(
        LLMUnavailableError, match=r"needs the optional extra: .*pip install -e '\.\[transformers\]'"
    ):
        (check_llm if check else make_llm)(settings, tmp_path)


def test_the_backend_needs_a_model_folder_or_a_gguf() -> None:
    with pytest.raises(ValueError, match=r"RAG_LLM__MODEL .* or RAG_LLM__MODEL_PATH"):
        LLMSettings(backend="transformers")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("llama_index.llms.huggingface", reason="the `transformers` extra is not installed")
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    vocab = {w: i for i, w in enumerate(VOCAB)}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", eos_token="<eos>")
    tokenizer.chat_template = TEMPLATE
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        eos_token_id=vocab["<eos>"],
    )
    model = LlamaForCausalLM(config)
    with torch.no_grad():  # a zero final norm makes every logit 0, so greedy decoding picks token 0
        model.model.norm.weight.zero_()
    model.save_pretrained(folder)
    return folder


def test_a_local_model_folder_loads_and_chats_greedily(tiny_model: Path, tmp_path: Path) -> None:
    settings = _settings(model=str(tiny_model))
    assert check_llm(settings, tmp_path) == f"transformers {tiny_model}"
    llm = make_llm(settings, tmp_path)
    question = [ChatMessage(role="user", content="what is the capital of france")]
    assert llm.messages_to_prompt(question) == "user: what is the capital of france\nassistant:"
    assert llm.chat(question).message.content == " ".join(["paris"] * 8)  # max_new_tokens=8
    streamed = "".join(chunk.delta or "" for chunk in llm.stream_chat(question))
    assert streamed.split() == ["paris"] * 8


def test_a_missing_gguf_or_a_folder_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_index.llms.huggingface", reason="the `transformers` extra is not installed")
    with pytest.raises(ModelFileError, match="RAG_LLM__MODEL_PATH"):
        check_llm(_settings(model_path=tmp_path / "missing.gguf"), tmp_path)
    with pytest.raises(ModelFileError, match=r"no config\.json"):
        check_llm(_settings(model=str(tmp_path)), tmp_path)


def test_a_gguf_is_loaded_from_its_folder_by_file_name(tmp_path: Path) -> None:
    pytest.importorskip("llama_index.llms.huggingface", reason="the `transformers` extra is not installed")
    from rag.models.llms.huggingface import generate_kwargs, model_source

    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    assert model_source(_settings(model_path=gguf)) == (str(tmp_path), {"gguf_file": "model.gguf"})
    assert generate_kwargs(_settings(model_path=gguf)) == {"do_sample": False}
    assert generate_kwargs(_settings(model_path=gguf, temperature=0.5)) == {
        "do_sample": True,
        "temperature": 0.5,
    }
