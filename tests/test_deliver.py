"""Delivery attaches exactly the contract bytes that priced each vendor."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from vendoraudit.deliver import _contract_bytes
from vendoraudit.errors import OutputError

REPO = Path(__file__).resolve().parents[1]


def test_a_contract_edited_during_the_run_is_refused(sample_audit, monkeypatch):
    monkeypatch.chdir(REPO)  # contract paths are as the user gave them, relative to the repo
    assert set(_contract_bytes(sample_audit)) == {v.vendor_id for v in sample_audit.vendors}
    acme = sample_audit.vendor("ACME")
    stale = dataclasses.replace(acme, contract=dataclasses.replace(acme.contract, sha256="0" * 64))
    edited = dataclasses.replace(sample_audit, vendors=(stale,))
    with pytest.raises(OutputError, match=r"contracts/acme\.yaml changed during the run"):
        _contract_bytes(edited)
