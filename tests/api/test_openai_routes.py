"""The OpenAI-compatible endpoint, through TestClient and through the official `openai` client."""

import openai
import pytest
from fastapi.testclient import TestClient

from tests.api.support import APPOINTMENTS, cite_appointments
from tests.fakes import ScriptedLLM

SOURCE = "000_3aed9b3397ca7b37.txt"


def chat(question: str, **extra: object) -> dict:
    return {"model": "articles-qa", "messages": [{"role": "user", "content": question}], **extra}


def test_models_lists_the_configured_id(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["articles-qa"]


def test_a_completion_carries_markers_sources_and_the_citations_field(
    client: TestClient, llm: ScriptedLLM
) -> None:
    llm.enqueue(cite_appointments)
    body = client.post("/v1/chat/completions", json=chat(APPOINTMENTS, temperature=0.7, top_p=1)).json()
    content = body["choices"][0]["message"]["content"]
    assert content.startswith("At least 170 appointments [1]\n\nSources:\n[1] " + SOURCE + ': "')
    assert body["citations"][0]["source"] == SOURCE and body["refused"] is False
    assert body["citations"][0]["quote"] in content
    assert body["object"] == "chat.completion" and body["choices"][0]["finish_reason"] == "stop"


def test_each_marker_carries_a_url_citation_annotation(client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue(cite_appointments)
    body = client.post("/v1/chat/completions", json=chat(APPOINTMENTS)).json()
    message = body["choices"][0]["message"]
    citation = body["citations"][0]
    [annotation] = message["annotations"]
    assert annotation["type"] == "url_citation"
    link = annotation["url_citation"]
    assert message["content"][link["start_index"] : link["end_index"]] == "[1]"
    assert (
        link["url"]
        == citation["url"]
        == (f"http://testserver/?doc={SOURCE}&start={citation['start']}&end={citation['end']}")
    )
    title = client.get(f"/documents/{SOURCE}").json()["title"]
    assert link["title"].startswith(title[:40])  # the article's title, then a short quote
    assert f"“{citation['quote'][:30]}" in link["title"] and len(link["title"]) <= 150


def test_a_refusal_has_no_annotations(client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue("NONE", "NONE")
    body = client.post("/v1/chat/completions", json=chat("Who won the 2030 World Cup final?")).json()
    assert body["refused"] is True and body["choices"][0]["message"]["annotations"] == []


def test_content_parts_and_earlier_turns_are_read(client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue(cite_appointments)
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "How many appointments does the IMSS require?"},
        {"role": "assistant", "content": "At least 170 appointments"},
        {"role": "user", "content": [{"type": "text", "text": "and every two months?"}]},
    ]
    response = client.post("/v1/chat/completions", json={"model": "articles-qa", "messages": messages})
    assert response.status_code == 200
    assert "earlier question: How many appointments does the IMSS require?" in llm.history[0]


def test_a_refusal_has_no_sources(client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue("NONE", "NONE")  # in case the keyword fake finds a passage worth reading
    body = client.post(
        "/v1/chat/completions", json=chat("Who won the 2030 World Cup final in penalties?")
    ).json()
    assert body["refused"] is True and body["citations"] == []
    assert body["choices"][0]["message"]["content"] == "The articles don't say."


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (chat("hi") | {"model": "gpt-4o"}, 404, "model 'gpt-4o' not found"),
        ({"model": "articles-qa", "messages": []}, 422, "messages: List should have at least 1 item"),
        (
            {"model": "articles-qa", "messages": [{"role": "assistant", "content": "hi"}]},
            422,
            "from the user",
        ),
        ({"model": "articles-qa", "messages": [{"role": "robot", "content": "hi"}]}, 422, "role"),
        (chat("   "), 422, "empty"),
        (chat("hi", n=2), 422, "n: Input should be less than or equal to 1"),
        ({"messages": [{"role": "user", "content": "hi"}]}, 422, "model: Field required"),
    ],
)
def test_bad_chat_requests_get_json_errors(
    client: TestClient, payload: dict, status: int, message: str
) -> None:
    response = client.post("/v1/chat/completions", json=payload)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_the_openai_client_against_a_live_server(live_server: str, llm: ScriptedLLM) -> None:
    client = openai.OpenAI(base_url=live_server + "/v1", api_key="unused", max_retries=0)
    assert [m.id for m in client.models.list()] == ["articles-qa"]

    llm.enqueue(cite_appointments)
    completion = client.chat.completions.create(
        model="articles-qa", messages=[{"role": "user", "content": APPOINTMENTS}]
    )
    content = completion.choices[0].message.content or ""
    assert content.startswith("At least 170 appointments [1]")
    citations = completion.model_extra["citations"]  # type: ignore[index]
    assert citations[0]["source"] == SOURCE and citations[0]["quote"] in content
    [annotation] = completion.choices[0].message.annotations or []
    assert annotation.type == "url_citation" and annotation.url_citation.url == citations[0]["url"]
    marker = content[annotation.url_citation.start_index : annotation.url_citation.end_index]
    assert marker == "[1]" and citations[0]["url"].startswith(live_server + "/?doc=")

    llm.enqueue(cite_appointments)
    chunks = list(
        client.chat.completions.create(
            model="articles-qa", messages=[{"role": "user", "content": APPOINTMENTS}], stream=True
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == citations  # type: ignore[index]
    # The annotations come with the text they point into, before the final chunk.
    [streamed_annotations] = [
        (c.choices[0].delta.model_extra or {}).get("annotations")
        for c in chunks[:-1]
        if (c.choices[0].delta.model_extra or {}).get("annotations")
    ]
    assert streamed_annotations == [annotation.model_dump()]

    with pytest.raises(openai.NotFoundError, match="not found"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
