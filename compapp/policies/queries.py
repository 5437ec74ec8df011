"""The award policies in force: the shipped files, each replaced by its active revision."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from sqlalchemy import select

from compapp.extensions import db
from compapp.policies.models import PolicyRevision
from compapp.policy.loader import PolicySet, load_policies


def policies_in_force() -> PolicySet:
    """Return the award policies in force: shipped files, each replaced by its active revision."""
    # Read once per request (or per job, which has no request): a token tells them apart even
    # where one application context serves several requests.
    token = id(request._get_current_object()) if has_request_context() else None
    found = g.get("compapp_award_policies")
    if found is not None and found[0] == token:
        return found[1]
    rows = db.session.execute(
        select(PolicyRevision.id, PolicyRevision.policy_id, PolicyRevision.digest).where(
            PolicyRevision.state == "active"
        )
    ).all()
    key = tuple(sorted(tuple(r) for r in rows))
    cache = current_app.extensions.setdefault("compapp", {}).setdefault("award_policies_by", {})
    policies = cache.get(key)
    if policies is None:
        texts = {
            policy_id: (text, f"{policy_id}.toml")
            for policy_id, text in db.session.execute(
                select(PolicyRevision.policy_id, PolicyRevision.text).where(
                    PolicyRevision.state == "active"
                )
            )
        }
        policies = load_policies(revisions=texts)
        if len(cache) > 8:
            cache.clear()
        cache[key] = policies
    g.compapp_award_policies = (token, policies)
    return policies


def forget_policies_in_force() -> None:
    """Read the set in force afresh at the next use (after an activation)."""
    g.pop("compapp_award_policies", None)
