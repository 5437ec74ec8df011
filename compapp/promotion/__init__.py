"""Grade promotion for competition ranks: eligibility rules, policy loading, the public API."""
