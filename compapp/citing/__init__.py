"""Citations a person can use: the document, section and item, and the quoted paragraph."""
