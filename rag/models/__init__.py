"""Models: LLM backends, embedders, packaged model files and the model catalogue."""
