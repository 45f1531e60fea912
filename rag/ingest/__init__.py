"""Ingest: read the corpus, chunk, embed, store in Chroma, build the BM25 index."""
