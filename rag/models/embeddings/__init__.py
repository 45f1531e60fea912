"""Embedding models as llama-index `BaseEmbedding`s."""
