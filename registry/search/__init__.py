"""Full-text search: a rebuildable view of the database (see DESIGN.md)."""
