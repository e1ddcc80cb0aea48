"""The JSON Schema of contract files, generated from the model (shipped as contracts/contract.schema.json).

Editors that understand `# yaml-language-server: $schema=./contract.schema.json` validate and
complete contracts with it. It checks structure only; `vendoraudit contract check` also runs the
semantic checks (contract/checks.py).
"""

from __future__ import annotations

import json
from typing import Any

from .model import Contract

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE_NAME = "contract.schema.json"


def contract_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one contract file, with titles and descriptions."""
    schema = Contract.model_json_schema()
    header = {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_FILE_NAME,
        "title": "vendoraudit contract",
    }
    body = {k: v for k, v in schema.items() if k != "title"}
    return header | body


def schema_text() -> str:
    """The schema as the checked-in file holds it: indented JSON ending in a newline."""
    return json.dumps(contract_schema(), indent=2, ensure_ascii=False) + "\n"
