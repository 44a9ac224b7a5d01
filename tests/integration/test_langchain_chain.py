"""The package inside LangChain code: a textbook LCEL RAG chain, a retriever tool, the answer chain.

Real embedded Chroma and the real bundled model; LangChain's fake chat model
stands in for an LLM.
"""

from __future__ import annotations

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from langchain_core.tools import create_retriever_tool

from assistant.types import Answer
from index.errors import ArticleNotFoundError, InputError
from tests.support import KIRBY_QUESTION

KIRBY = "They’re using them effectively"
FOLLOW_UP = "What else did he say?"


class PromptRecorder(BaseCallbackHandler):
    """Keeps the messages every chat model was called with."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def on_chat_model_start(self, serialized, messages, **kwargs):  # type: ignore[no-untyped-def]
        self.prompts.extend(m.content for batch in messages for m in batch)


@pytest.fixture
def seeded(assistant, seed_path):  # type: ignore[no-untyped-def]
    return assistant, assistant.add(seed_path).article


def _same(got: Answer, want: Answer) -> None:
    assert isinstance(got, Answer)
    assert {**got.to_dict(), "timings": None} == {**want.to_dict(), "timings": None}


def test_textbook_lcel_rag_chain(seeded, seed_path):
    assistant, _ = seeded

    def format_docs(docs):  # type: ignore[no-untyped-def]
        return "\n\n".join(f"[{d.metadata['source']}] {d.page_content}" for d in docs)

    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from this context only, citing sources.\n\n{context}"), ("human", "{question}")]
    )
    model = GenericFakeChatModel(messages=iter([AIMessage("John Kirby said so.")]))
    retriever = assistant.as_retriever()
    rag_chain = (
        {"context": retriever | format_docs, "question": RunnablePassthrough()}
        | prompt
        | model
        | StrOutputParser()
    )
    recorder = PromptRecorder()
    assert rag_chain.invoke(KIRBY_QUESTION, config={"callbacks": [recorder]}) == "John Kirby said so."
    system, human = recorder.prompts
    assert human == KIRBY_QUESTION
    kirby_line = next(line for line in system.splitlines() if KIRBY in line)
    assert kirby_line.startswith(f"[{seed_path}] ")


def test_retriever_tool_with_a_source_prompt(seeded, seed_path):
    assistant, article = seeded
    tool = create_retriever_tool(
        assistant.as_retriever(k=4),
        "search_articles",
        "Search the reader's news articles; returns sentences with their source.",
        document_prompt=PromptTemplate.from_template("{page_content} (source: {source}; {title})"),
    )
    text = tool.invoke({"query": KIRBY_QUESTION})
    kirby = next(line for line in text.split("\n\n") if KIRBY in line)
    assert kirby.endswith(f"(source: {seed_path}; {article.label})")


def test_chain_returns_the_answer_of_ask(seeded):
    assistant, article = seeded
    chain = assistant.chain()
    want = assistant.ask(KIRBY_QUESTION)
    assert "John Kirby" in want.text and not want.abstained
    _same(chain.invoke(KIRBY_QUESTION), want)
    _same(chain.invoke({"question": KIRBY_QUESTION}), want)
    history = [(KIRBY_QUESTION, want)]
    _same(
        chain.invoke({"question": FOLLOW_UP, "history": history}),
        assistant.ask(FOLLOW_UP, history=history),
    )
    scoped = assistant.chain(article.id).invoke(KIRBY_QUESTION)
    _same(scoped, assistant.ask(KIRBY_QUESTION, article=article.id))
    with pytest.raises(ArticleNotFoundError):
        assistant.chain("deadbeef")


async def test_chain_batch_stream_and_async(seeded):
    assistant, _ = seeded
    chain = assistant.chain()
    questions = [KIRBY_QUESTION, {"question": "What happens when cluster munitions do not explode?"}]
    got = chain.batch(questions)
    _same(got[0], assistant.ask(KIRBY_QUESTION))
    _same(got[1], assistant.ask("What happens when cluster munitions do not explode?"))
    streamed = list(chain.stream(KIRBY_QUESTION))
    assert len(streamed) == 1
    _same(streamed[0], got[0])
    _same(await chain.ainvoke(KIRBY_QUESTION), got[0])


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (42, r'takes a question string or a \{"question"'),
        ({"query": KIRBY_QUESTION}, r'takes a question string or a \{"question"'),
        ({"question": KIRBY_QUESTION, "article": "x"}, "takes the keys question and history, not article"),
        ({"question": "  "}, "The question is empty"),
        ({"question": 7}, "The question must be a string"),
        ({"question": KIRBY_QUESTION, "history": "earlier"}, "history must be a list"),
    ],
)
def test_chain_rejects_bad_input_clearly(seeded, bad, message):
    assistant, _ = seeded
    chain = assistant.chain()
    with pytest.raises(InputError, match=message):
        chain.invoke(bad)
    [error] = chain.batch([bad], return_exceptions=True)
    assert isinstance(error, InputError)


def test_chain_inside_a_users_chain(seeded):
    assistant, _ = seeded
    pick = RunnableLambda(lambda x: x["text"].strip(), name="pick")
    pipeline = pick | assistant.chain() | (lambda answer: answer.short_answer)
    assert "Kirby" in pipeline.invoke({"text": f"  {KIRBY_QUESTION} "})
