"""The catalogue of standards."""
