"""Enterprises: identity (credit code), region, industry, certificates."""
