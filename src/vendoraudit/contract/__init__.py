"""Contracts: the model, located loading, semantic checks, terms in force for a period, JSON Schema.

Import from the submodules (`contract.model`, `contract.loader`, `contract.terms`, ...).
"""
