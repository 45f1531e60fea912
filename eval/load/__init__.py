"""Load tests: many clients against a served `rag serve`."""
