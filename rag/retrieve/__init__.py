"""Retrieve: dense (Chroma) and BM25 passages, fused by reciprocal rank."""
