"""What every benchmark does with its results: a JSON file written atomically (a crash never
leaves half a file for docs/performance.md to quote), then its Markdown summary on stdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_results(output: Path, results: dict[str, Any], summary: str) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".tmp")
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(output)
    print(summary)
