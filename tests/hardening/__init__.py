"""Hardening suite (issue 10): bad input, personal data, faults and hostile content."""
