"""The public calculator API: POST /api/v1/quote and POST /api/v1/promotion (CONTRACT.md).

No sign-in, no personal data, no writes.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from compapp.auth.access import public
from compapp.core.api import ApiError
from compapp.extensions import csrf
from compapp.openapi import openapi_spec
from compapp.promotion.api import answer_promotion_request
from compapp.promotion.services import promotion_rules
from compapp.reference.queries import lookup_county, lookup_organiser
from compapp.rewards.quote import answer_quote_request
from compapp.rewards.services import award_policies

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _body() -> object:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        body = None
    if body is None:
        raise ApiError(
            400,
            "bad_request",
            None,
            "请求体不是有效的 JSON。请以 Content-Type: application/json 发送一个 JSON 对象。",
        )
    return body


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(error.to_body()), error.status


@bp.route("/quote", methods=["POST"])
@csrf.exempt
@public
def quote():

    return jsonify(answer_quote_request(_body(), lookup_county, award_policies(), lookup_organiser))


@bp.route("/promotion", methods=["POST"])
@csrf.exempt
@public
def promotion():

    return jsonify(
        answer_promotion_request(_body(), lookup_county, promotion_rules(), lookup_organiser)
    )


@bp.route("/openapi.json", methods=["GET"])
@public
def openapi():
    """The OpenAPI 3.1 description of this API (CONTRACT.md)."""

    response = jsonify(openapi_spec(request.host_url))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
