"""Cash awards: pure rules (``rules``), the quote API (``quote``), records and services."""
