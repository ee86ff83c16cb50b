"""The layering the engines rely on: stage packages take their models as arguments and
do no I/O of their own; errors come from one hierarchy."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import copydesk
from copydesk import errors, verdict
from copydesk.engines import forensics as engine_forensics
from copydesk.reading import RecordError as ReadingRecordError
from copydesk.store import StoreError as StoreStoreError

SRC = Path(copydesk.__file__).parent
STAGES = ["fingerprint", "align", "forensics", "verdict.py", "candidates.py", "text"]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_stages_never_import_the_store_or_engines(stage: str) -> None:
    root = SRC / stage
    files = [root] if root.is_file() else sorted(root.rglob("*.py"))
    assert files
    for path in files:
        bad = {
            m
            for m in _imports(path)
            if m.startswith(("copydesk.store", "copydesk.engines", "sqlite3"))
        }
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


def test_no_module_level_judging_context() -> None:
    assert not hasattr(verdict, "CONTEXT")
    for name in ("_MODEL", "_LOADED", "use_models"):
        assert not hasattr(engine_forensics, name)


def test_context_is_an_immutable_value() -> None:
    ctx = engine_forensics.make_context({"a.example": ["Alpha"]}, None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.version = "other"  # type: ignore[misc]
    assert ctx.aliases == {"a.example": ("Alpha",)}
    # The version names the content: the same models give the same version anywhere.
    again = engine_forensics.make_context({"a.example": ["Alpha"]}, None, None)
    assert again.version == ctx.version
    other = engine_forensics.make_context({"a.example": ["Alpha", "A"]}, None, None)
    assert other.version != ctx.version
    assert engine_forensics.make_context(None, None, None) is verdict.EMPTY


def test_one_error_hierarchy() -> None:
    assert issubclass(errors.RecordError, errors.CopydeskError)
    assert issubclass(errors.StoreError, errors.CopydeskError)
    assert issubclass(errors.RecordError, ValueError)
    assert issubclass(errors.StoreError, RuntimeError)
    # the old import paths name the same classes
    assert ReadingRecordError is errors.RecordError
    assert StoreStoreError is errors.StoreError
    assert copydesk.StoreError is errors.StoreError
    assert copydesk.CopydeskError is errors.CopydeskError
    for name in ("CopydeskError", "RecordError", "StoreError"):
        assert name in (errors.__doc__ or "")
