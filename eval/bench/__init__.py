"""`rag bench`: ingestion, retrieval, answer and memory measurements on real corpora."""
