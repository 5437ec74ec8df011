"""The public policies section: every policy document compapp knows, read like the document."""
