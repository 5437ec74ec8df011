"""The OpenAPI 3.1 description of the calculator API, served at GET /api/v1/openapi.json.

Built from the same vocabularies the API checks against (categories, formats, medals,
grades), so the description cannot drift from what the endpoints accept.
"""

from __future__ import annotations

from compapp.core.vocab import SkillGrade
from compapp.policy.categories import CATEGORIES, EVENT_FORMATS, MEDALS, PAYER_LEVELS, PRIZES

CODE = {"type": "string", "pattern": "^[0-9]{6}$"}
AMOUNT = {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$", "examples": ["200000.00"]}
NULLABLE_TEXT = {"type": ["string", "null"]}


def _error_response(description: str, example: dict) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "examples": {"example": {"value": {"error": example}}},
            }
        },
    }


ERRORS = {
    "400": _error_response(
        "Malformed JSON, not an object, or a missing field (code `bad_request` or "
        "`missing_field`).",
        {
            "code": "missing_field",
            "field": "county",
            "message": "缺少字段 county，请补充后重新提交。",
        },
    ),
    "422": _error_response(
        "A value that is not allowed (code `invalid_value`, `field` names it), or a date no "
        "policy version covers (code `no_policy`).",
        {
            "code": "invalid_value",
            "field": "county",
            "message": "未知的选送县（市、区）代码 “999999”。请填写 6 位行政区划代码，如 533422。",
        },
    ),
    "503": _error_response(
        "The database is unreachable for a moment; try again (Retry-After says when).",
        {"code": "service_unavailable", "field": None, "message": "数据库暂时无法连接……"},
    ),
}

COMMON_FIELDS = {
    "award_date": {
        "type": "string",
        "format": "date",
        "description": "The contest's award date, YYYY-MM-DD: the policy version in force "
        "on it applies.",
        "examples": ["2024-09-15"],
    },
    "category": {
        "type": "string",
        "enum": list(CATEGORIES),
        "description": "Contest category (POLICY.md §3).",
    },
    "event_format": {"type": "string", "enum": list(EVENT_FORMATS)},
    "county": {
        **CODE,
        "description": "The sending county's 6-digit division code (GB/T 2260): one of "
        "Yunnan's county-level divisions.",
        "examples": ["533422"],
    },
    "organiser": {
        **CODE,
        "description": "Optional: the organising jurisdiction — 530000 for the province, a "
        "prefecture's code for a prefecture-tier contest. Default: the sending county's "
        "prefecture for a prefecture-tier category, 530000 otherwise.",
        "examples": ["530000"],
    },
}


def openapi_spec(server_url: str = "/") -> dict:
    """Return the OpenAPI 3.1 document of the two calculator endpoints."""
    grades = list(SkillGrade.codes())
    schemas = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "field", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "field": NULLABLE_TEXT,
                        "message": {"type": "string", "description": "A sentence to act on."},
                    },
                }
            },
        },
        "QuoteRequest": {
            "type": "object",
            "required": ["award_date", "category", "event_format", "result", "county"],
            "properties": {
                **COMMON_FIELDS,
                "result": {
                    "type": "object",
                    "description": "A medal or a prize (not both), either with an optional "
                    "final rank; or a rank alone (no cash).",
                    "minProperties": 1,
                    "additionalProperties": False,
                    "properties": {
                        "medal": {"type": "string", "enum": list(MEDALS)},
                        "prize": {"type": "integer", "enum": list(PRIZES)},
                        "rank": {"type": "integer", "minimum": 1},
                    },
                    "not": {"required": ["medal", "prize"]},
                },
            },
            "examples": [
                {
                    "award_date": "2024-09-15",
                    "category": "national_skills_competition",
                    "event_format": "individual",
                    "result": {"medal": "gold"},
                    "county": "533422",
                }
            ],
        },
        "AwardLine": {
            "type": "object",
            "required": [
                "payer_level",
                "payer_code",
                "payer_name",
                "amount",
                "policy",
                "clause",
                "citation",
                "explanation",
            ],
            "properties": {
                "payer_level": {"type": "string", "enum": list(PAYER_LEVELS)},
                "payer_code": CODE,
                "payer_name": {"type": "string"},
                "amount": AMOUNT,
                "policy": {"type": "string"},
                "clause": {"type": "string"},
                "citation": {"type": "string"},
                "explanation": {"type": "string"},
            },
        },
        "PayeeAwards": {
            "type": "object",
            "required": ["total", "lines"],
            "properties": {
                "total": {**AMOUNT, "description": "The sum of `lines`."},
                "lines": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/AwardLine"},
                    "description": "Lines with a zero amount are left out.",
                },
            },
        },
        "QuoteAnswer": {
            "type": "object",
            "required": ["currency", "award_date", "competitor", "coaching_team", "notices"],
            "properties": {
                "currency": {"const": "CNY"},
                "award_date": {"type": "string", "format": "date"},
                "competitor": {
                    "$ref": "#/components/schemas/PayeeAwards",
                    "description": "What each competitor of the entry receives.",
                },
                "coaching_team": {"$ref": "#/components/schemas/PayeeAwards"},
                "notices": {"type": "array", "items": {"type": "string"}},
            },
        },
        "PromotionRequest": {
            "type": "object",
            "required": [
                "award_date",
                "category",
                "event_format",
                "rank",
                "current_grade",
                "is_employee",
                "county",
            ],
            "properties": {
                **COMMON_FIELDS,
                "rank": {"type": "integer", "minimum": 1, "description": "Final-round rank."},
                "current_grade": {"type": "string", "enum": grades},
                "is_employee": {"type": "boolean"},
            },
            "examples": [
                {
                    "award_date": "2024-09-15",
                    "category": "provincial_class1",
                    "event_format": "pair",
                    "rank": 2,
                    "current_grade": "senior",
                    "is_employee": True,
                    "county": "533401",
                }
            ],
        },
        "PromotionAnswer": {
            "type": "object",
            "required": [
                "eligible",
                "from_grade",
                "to_grade",
                "title",
                "title_needs_approval",
                "policy",
                "clause",
                "citation",
                "reason",
            ],
            "properties": {
                "eligible": {"type": "boolean"},
                "from_grade": {"type": "string", "enum": grades},
                "to_grade": {"type": ["string", "null"], "enum": [*grades, None]},
                "title": NULLABLE_TEXT,
                "title_needs_approval": {"type": "boolean"},
                "policy": NULLABLE_TEXT,
                "clause": NULLABLE_TEXT,
                "citation": NULLABLE_TEXT,
                "reason": {"type": "string", "description": "Always says why."},
            },
        },
    }

    def operation(summary: str, description: str, request: str, answer: str, op_id: str):
        return {
            "post": {
                "operationId": op_id,
                "summary": summary,
                "description": description,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "The answer.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{answer}"}
                            }
                        },
                    },
                    **ERRORS,
                },
            }
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "compapp calculator API",
            "version": "1",
            "description": "Award amounts and grade-promotion eligibility for Yunnan's "
            "vocational skills competitions. Public: no sign-in, no personal data, no writes. "
            "Amounts are strings in yuan with exactly two decimals.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/quote": operation(
                "Cash awards of one placement",
                "Who pays how much to each competitor and to the coaching team, under which "
                "document and clause.",
                "QuoteRequest",
                "QuoteAnswer",
                "quote",
            ),
            "/api/v1/promotion": operation(
                "Grade-promotion eligibility of one placement",
                "Whether the rank makes the competitor eligible for a higher grade (and a "
                "title), with the rule and the reason.",
                "PromotionRequest",
                "PromotionAnswer",
                "promotion",
            ),
        },
        "components": {"schemas": schemas},
    }
