"""What the code imports is declared, and what is installed is the lock: a package that arrives only
through another's range (as `openai` once did, and broke every chat-model answer when its next major
came out) is caught here, before a user meets it."""

from __future__ import annotations

import ast
import os
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"assistant", "evaluation", "ingest", "prompts", "vectorstore", "tests"}
# which declarations each tree may rely on: the runtime packages only on the runtime dependencies
TREES = {
    "assistant": ("runtime",),
    "ingest": ("runtime",),
    "vectorstore": ("runtime",),
    "prompts": ("runtime",),
    "evaluation": ("runtime", "eval"),
    "tests": ("runtime", "eval", "dev"),
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return canonical(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])


def declared(pyproject: Path) -> dict[str, set[str]]:
    """Distribution names per group: runtime, and each optional extra."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    groups = {"runtime": {requirement_name(r) for r in project["dependencies"]}}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        groups[extra] = {requirement_name(r) for r in requirements}
    return groups


def imported_modules(tree: Path) -> dict[str, str]:
    """Top-level modules imported anywhere under `tree` (lazy imports inside functions included) that
    are neither the standard library's nor ours -> the first file importing each."""
    found: dict[str, str] = {}
    for path in sorted(tree.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                else []
            )
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in OURS:
                    found.setdefault(top, str(path.relative_to(tree.parent)))
    return found


def undeclared(tree: Path, allowed: set[str]) -> list[str]:
    """Each import under `tree` whose distribution is not among `allowed`, with where it is."""
    owners = packages_distributions()
    problems = []
    for module, where in sorted(imported_modules(tree).items()):
        distributions = {canonical(d) for d in owners.get(module, [])}
        if not distributions:
            problems.append(f"{where}: imports {module}, which no installed distribution provides")
        elif not distributions & allowed:
            problems.append(
                f"{where}: imports {module} (from {', '.join(sorted(distributions))}), "
                "not declared in pyproject.toml"
            )
    return problems


@pytest.mark.parametrize("tree", sorted(TREES))
def test_every_imported_package_is_declared(tree: str) -> None:
    groups = declared(ROOT / "pyproject.toml")
    allowed = set().union(*(groups[g] for g in TREES[tree]))
    assert undeclared(ROOT / tree, allowed) == []


def test_an_undeclared_import_is_caught(tmp_path: Path) -> None:
    package = tmp_path / "assistant"
    package.mkdir()
    (package / "fine.py").write_text(
        "import json\nfrom assistant.x import y\nimport numpy\n", encoding="utf-8"
    )
    (package / "lazy.py").write_text(
        "def f():\n    import openai.types\n    return openai\n", encoding="utf-8"
    )
    assert undeclared(package, {"numpy", "openai"}) == []
    problems = undeclared(package, {"numpy"})
    assert problems == ["assistant/lazy.py: imports openai (from openai), not declared in pyproject.toml"]


def locked() -> dict[str, str]:
    """The pins of the lock this environment was installed from: requirements.lock, or the candidate
    lock scripts/upgrade-lock is trying (SPEECHQA_LOCK)."""
    text = Path(os.environ.get("SPEECHQA_LOCK") or ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {canonical(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}


def test_the_environment_is_the_lock() -> None:
    """scripts/setup.sh installs requirements.lock: every locked package at its locked version."""
    drift = []
    for name, pinned in sorted(locked().items()):
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "missing"
        if installed != pinned:
            drift.append(f"{name}: locked {pinned}, installed {installed}")
    assert drift == [], "run scripts/setup.sh (it installs requirements.lock): " + "; ".join(drift)


def test_the_lock_holds_every_declared_package_within_its_range() -> None:
    from packaging.requirements import Requirement

    pins = locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    outside = []
    for text in requirements:
        requirement = Requirement(text)
        name = canonical(requirement.name)
        if name == "speechqa":
            continue
        if name not in pins or not requirement.specifier.contains(pins[name], prereleases=True):
            outside.append(f"{text}: locked {pins.get(name, 'nothing')}")
    assert outside == [], "scripts/upgrade-lock --no-upgrade re-resolves the lock: " + "; ".join(outside)
    assert pins["torch"].endswith("+cpu")  # any other build pulls gigabytes of CUDA packages
