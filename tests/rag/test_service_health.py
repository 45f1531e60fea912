import pytest

from rag.errors import RagError
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import free_port
from tests.fakes import KeywordEmbedding


def test_health_reports_an_unreachable_llm_server_instead_of_failing(
    settings: Settings, embedder: KeywordEmbedding
) -> None:
    llm = {
        "backend": "openai",
        "model": "qwen",
        "base_url": f"http://127.0.0.1:{free_port()}/v1",
        "probe_timeout": 1,
    }
    settings = Settings.model_validate(settings.model_dump() | {"llm": llm})
    service = RagService(settings, embedder=embedder)
    service.ingest()
    health = service.health()
    assert health.status == "llm unavailable"
    assert health.llm == "qwen" and health.llm_backend == "openai"
    assert health.llm_error is not None and "127.0.0.1" in health.llm_error
    with pytest.raises(RagError):
        service.warm_up()  # start-up fails with the same clear error, before any question
