"""Citations are made once per clause of the policy set in force, and only of that set."""

from dataclasses import replace

from compapp.citing import services
from compapp.policies.queries import policies_in_force


def test_a_citation_is_made_once_per_clause_of_the_set_in_force(app):
    with app.test_request_context("/"):
        policies = policies_in_force()
        policy = next(iter(policies))
        clause = next(iter(policy.header.clauses))
        first = services.award_citation(policy.id, clause)
        assert first == policy.header.cite(clause)
        assert services.award_citation(policy.id, clause) is first
        assert policies.citations[policy.id, clause] is first
        # Unknown clauses are named plainly, and kept the same way.
        gone = services.award_citation(policy.id, "不存在的条款")
        assert gone.text.endswith("不存在的条款") and gone.path.endswith(
            "/%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E6%9D%A1%E6%AC%BE"
        )
    # A copy of the set (a draft laid over it) starts without the original's citations.
    assert replace(policies).citations == {}
