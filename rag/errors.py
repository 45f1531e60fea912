"""Errors a user can act on. Each message says what went wrong and how to fix it."""


class RagError(Exception):
    """Base class for every error the service reports to a user instead of a stack trace."""


class ConfigError(RagError):
    """A setting names something that does not exist or cannot be used."""


class ModelFileError(RagError):
    """A model file is missing, incomplete or does not match its checksum."""


class CorpusError(RagError):
    """The corpus folder or one of its files cannot be read."""


class FileTypeError(CorpusError):
    """A file's type is not one the service reads, or its content does not match its extension."""


class FileTooLargeError(CorpusError):
    """A file is over the size limit (`RAG_CHUNKING__MAX_FILE_BYTES`)."""


class DocumentNameError(RagError):
    """A file name cannot be used in the corpus folder, even sanitised."""


class DocumentNotFoundError(RagError):
    """No corpus file has that name."""


class IngestBusyError(RagError):
    """Another ingest (in this process or another replica) holds the corpus."""


class StoreUnavailableError(RagError):
    """The vector store (a Chroma server) cannot be reached."""


class QuestionError(RagError):
    """The question is empty, too long or otherwise unusable."""


class IndexMismatchError(RagError):
    """The index was built with another embedder than the one configured now."""


class IndexNotReadyError(RagError):
    """No index exists yet: nothing has been ingested."""


class BusyError(RagError):
    """The generation queue is full; `retry_after` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GenerationTimeoutError(RagError):
    """A request waited for or used the model longer than its timeout."""


class CancelledError(RagError):
    """The client went away; generation stopped."""


class LLMUnavailableError(RagError):
    """The configured LLM cannot be used: server unreachable, key rejected, model not served, extra missing."""


class LLMBadResponseError(LLMUnavailableError):
    """The LLM server answered, but with a server error or a reply that cannot be read."""
