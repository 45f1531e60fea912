"""Answer: rank evidence sentences, read them with the LLM, align and verify citations, or refuse."""
