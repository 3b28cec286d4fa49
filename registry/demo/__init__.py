"""Demo data: a realistic, clearly generated catalogue (and later enterprises/declarations)."""
