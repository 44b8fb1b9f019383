"""What every benchmark does with its results: a JSON file written atomically (a crash never
leaves half a file for docs/performance.md to quote), then its Markdown summary on stdout."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any


def write_results(output: Path, results: dict[str, Any], summary: str) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".tmp")
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(output)
    print(summary)


def load_aggregation_bench() -> ModuleType:
    """bench/aggregation.py as a module, for its database set-up, places and vectorised
    history generator (the other benches build on the same data)."""
    spec = importlib.util.spec_from_file_location(
        "bench_aggregation", Path(__file__).with_name("aggregation.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
