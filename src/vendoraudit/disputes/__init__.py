"""Disputes: a vendor's challenge of a KPI, the remedy it asks, and the client's decision.

A library stage between validation and the KPIs: `model` declares a dispute file, `loader` reads
and checks the files of a folder (located problems, every one at once), `remedy` narrows the
period's data by a granted remedy before the disputed KPI is computed.
"""
