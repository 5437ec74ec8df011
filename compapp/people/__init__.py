"""Find a person by name or ID number within one's scope; one page per person."""
