"""The HTTP layer: a thin FastAPI app over `rag`."""
