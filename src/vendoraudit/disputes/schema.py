"""The JSON Schema of dispute files, generated from the model (shipped as contracts/dispute.schema.json).

Editors that understand `# yaml-language-server: $schema=...` validate and complete dispute files
with it; `vendoraudit dispute check` also runs the checks against contracts and exports.
"""

from __future__ import annotations

import json
from typing import Any

from ..contract.schema import SCHEMA_DIALECT
from .model import DisputeFile

SCHEMA_FILE_NAME = "dispute.schema.json"


def dispute_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one dispute file."""
    schema = DisputeFile.model_json_schema()
    header = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_FILE_NAME, "title": "vendoraudit dispute file"}
    return header | {k: v for k, v in schema.items() if k != "title"}


def schema_text() -> str:
    """The schema as the checked-in file holds it: indented JSON ending in a newline."""
    return json.dumps(dispute_schema(), indent=2, ensure_ascii=False) + "\n"
