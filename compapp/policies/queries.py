"""The policies in force: the shipped files, each replaced by its active revision — award
policies and promotion rules alike, each read by the one strict reader."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, has_request_context, request
from sqlalchemy import select

from compapp.core.vocab import RevisionState
from compapp.extensions import db
from compapp.policies.models import PolicyRevision
from compapp.policy.loader import load_policies
from compapp.policy.model import PolicySet
from compapp.policy.promotion import PromotionRuleSet, load_promotion_rules


def policies_in_force() -> PolicySet:
    """Return the award policies in force: shipped files, each replaced by its active revision."""
    return _in_force("awards", load_policies)


def promotion_rules_in_force() -> PromotionRuleSet:
    """Return the promotion rules in force: shipped files, each replaced by its active revision."""
    return _in_force("promotion", load_promotion_rules)


def _this_request() -> dict:
    """What this request has read (kept in its WSGI environment, which dies with it, since one
    application context may serve several requests); a job without a request: its context."""
    if has_request_context():
        return request.environ.setdefault("compapp.policies_in_force", {})
    if "compapp_policies_in_force" not in g:
        g.compapp_policies_in_force = {}
    return g.compapp_policies_in_force


def _in_force(kind: str, load: Callable):
    # Read once per request (or per job, which has no request).
    found = _this_request().get(kind)
    if found is not None:
        return found
    active = (PolicyRevision.state == RevisionState.ACTIVE, PolicyRevision.kind == kind)
    rows = db.session.execute(
        select(PolicyRevision.id, PolicyRevision.policy_id, PolicyRevision.digest).where(*active)
    ).all()
    key = tuple(sorted(tuple(r) for r in rows))
    cache = current_app.extensions.setdefault("compapp", {}).setdefault(f"{kind}_policies_by", {})
    policies = cache.get(key)
    if policies is None:
        texts = {
            policy_id: (text, f"{policy_id}.toml")
            for policy_id, text in db.session.execute(
                select(PolicyRevision.policy_id, PolicyRevision.text).where(*active)
            )
        }
        policies = load(revisions=texts)
        if len(cache) > 8:
            cache.clear()
        cache[key] = policies
    _this_request()[kind] = policies
    return policies


def forget_policies_in_force() -> None:
    """Read the sets in force afresh at the next use (after an activation)."""
    _this_request().clear()
    g.pop("compapp_policies_in_force", None)  # and what the context read outside a request
