"""Short guides per role: what to do, in which order, what each status means."""
