"""Honours (荣誉奖励, POLICY.md §4.7): awards to a person, not placements."""
