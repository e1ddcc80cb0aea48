"""Per-source column mappings (YAML): how one source's files become one canonical table.

`model` is the language (pydantic, frozen), `loading` reads a file with located errors,
`readers` turn source values into canonical types, `evaluation` applies a mapping to a frame,
`attached` finds the mappings kept beside the contracts for their sites.
`docs/mappings.md` documents the vocabulary. A file with canonical column names is read
through the implicit `identity_mapping`.
"""

from .attached import mappings_folder, mappings_for
from .evaluation import FAILURE_SCHEMA, MappedFrame, apply_mapping, missing_source_columns
from .loading import load_mapping, load_mappings
from .model import (ColumnRule, Condition, DurationUnit, Exclusion, FormatOptions, Mapping, Unmatched,
                    identity_mapping)
from .readers import duration_seconds, localize, padded_or_empty, time_of_day_seconds

__all__ = [
    "FAILURE_SCHEMA", "ColumnRule", "Condition", "DurationUnit", "Exclusion", "FormatOptions", "MappedFrame",
    "Mapping", "Unmatched", "apply_mapping", "duration_seconds", "identity_mapping",
    "load_mapping", "load_mappings", "localize", "mappings_folder", "missing_source_columns",
    "mappings_for", "padded_or_empty", "time_of_day_seconds",
]
