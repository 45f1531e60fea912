"""LLM adapters that return llama-index `LLM`s."""
