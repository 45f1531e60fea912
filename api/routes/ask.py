"""POST /ask: one question in, the answer contract out."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Service
from rag.types import Answer

router = APIRouter(tags=["ask"])


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        description="The question, in English or Spanish.", examples=["¿Cuántas citas requiere el IMSS?"]
    )


@router.post("/ask", response_model=Answer, summary="Answer a question with verified citations")
def ask(body: AskRequest, service: Service) -> Answer:
    return service.ask(body.question)
