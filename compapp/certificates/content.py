"""Build what a certificate says from plain values; pure, no Flask or database."""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from compapp.certificates.serials import is_well_formed
from compapp.core.dates import format_date
from compapp.core.vocab import CertificateKind
from compapp.policy.reading import PolicyFileError, load_toml_strict

Kind = CertificateKind | str
KINDS = CertificateKind.codes()
TEMPLATE_DIR = Path(__file__).parent / "templates"
COMPETITOR_ROLE = "选手"

# Placeholders a template may use; anything else is a typo caught when the template loads.
PLACEHOLDERS = frozenset(
    {
        "holder_name",
        "holder_role",
        "contest_name",
        "event_name",
        "result_text",
        "issued_on",
        "issuing_body",
        "from_grade",
        "to_grade",
        "basis",
        "title",
        "serial",
    }
)
# What the subtitle and the file label may name: the honour a title certificate confers.
_LABEL_PLACEHOLDERS = frozenset({"title"})
_LAYOUT_KEYS = (
    "border_outer",
    "border_inner",
    "title_y",
    "title_size",
    "title_spacing",
    "subtitle_y",
    "subtitle_size",
    "name_x",
    "name_y",
    "name_size",
    "body_x",
    "body_y",
    "body_width",
    "body_size",
    "body_leading",
    "issuer_right",
    "issuer_y",
    "issuer_size",
    "date_y",
    "qr_x",
    "qr_y",
    "qr_size",
    "serial_y",
    "serial_size",
)
_COLOUR_KEYS = ("background", "border", "accent", "title", "text", "muted")
_TEXT_KEYS = (
    "title",
    "subtitle",
    "issuing_body",
    "default_basis",
    "default_title",
    "file_label",
    "name_suffix",
    "date_style",
    "serial_label",
    "verify_hint",
)
_COLOUR_RE = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class CertificateTemplate:
    """Wording, colours and positions (mm, A4 landscape) of one kind of certificate."""

    kind: Kind
    title: str
    subtitle: str
    issuing_body: str
    default_basis: str
    default_title: str
    file_label: str
    name_suffix: str
    date_style: Literal["hanzi", "arabic"]
    serial_label: str
    verify_hint: str
    body: MappingProxyType  # holder_role or "default" -> body text with placeholders
    colours: MappingProxyType  # name -> "#RRGGBB"
    layout: MappingProxyType  # name -> int (mm, or pt for *_size)
    source: str  # file name, for error messages

    def body_for(self, holder_role: str) -> str:
        """Return the body wording for ``holder_role``, falling back to the default."""
        return self.body.get(holder_role, self.body["default"])


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate, as plain values."""

    kind: Kind
    serial: str
    holder_name: str
    holder_role: str  # "选手", "教练", "技术指导", "翻译", …; an honour's group (see honour.toml)
    contest_name: str  # an honour's certificate: the honour ("云南省技术能手")
    event_name: str  # an honour's certificate: the recommending body
    result_text: str  # "金牌", "一等奖", "第 2 名"; an honour's certificate: its date
    issued_on: date
    issuing_body: str
    from_grade: str = ""  # promotion only: grade names, e.g. "三级/高级工"
    to_grade: str = ""
    basis: str = ""  # the document the promotion or title rests on
    title: str = ""  # title only: the honour conferred, e.g. "云南竞赛技术能手"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown certificate kind {self.kind!r}; expected one of {KINDS}")
        if not is_well_formed(self.serial):
            raise ValueError(f"malformed certificate serial {self.serial!r}")
        for name in ("holder_name", "holder_role", "contest_name", "result_text"):
            if not getattr(self, name).strip():
                raise ValueError(f"a certificate needs a {name.replace('_', ' ')}")
        if not isinstance(self.issued_on, date):
            raise TypeError("issued_on must be a datetime.date")
        if self.kind == CertificateKind.PROMOTION and not (self.from_grade and self.to_grade):
            raise ValueError("a promotion confirmation needs from_grade and to_grade")


def _template_error(source: str, message: str) -> PolicyFileError:
    return PolicyFileError(f"{source}: {message}")


def _check_placeholders(source: str, key: str, text: str, allowed: frozenset[str]) -> None:
    for _literal, name, _spec, _conv in string.Formatter().parse(text):
        if name is not None and name not in allowed:
            raise _template_error(source, f"{key}: unknown placeholder {{{name}}}")


def _table(source: str, data: dict, key: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise _template_error(source, f"missing table [{key}]")
    return value


def parse_template(data: dict, source: str) -> CertificateTemplate:
    """Check a parsed template file and return it as a CertificateTemplate."""
    if data.get("kind") not in KINDS:
        raise _template_error(source, f"kind must be one of {KINDS}")
    texts = _template_texts(data, source)
    body = _table(source, data, "body")
    if "default" not in body:
        raise _template_error(source, "[body] needs a 'default' wording")
    for role, text in body.items():
        if not isinstance(text, str):
            raise _template_error(source, f"[body] {role} must be a string")
        _check_placeholders(source, f"[body] {role}", text, PLACEHOLDERS)

    colours = _table(source, data, "colours")
    for key in _COLOUR_KEYS:
        if not isinstance(colours.get(key), str) or not _COLOUR_RE.fullmatch(colours[key]):
            raise _template_error(source, f"[colours] {key} must be a '#RRGGBB' string")
    layout = _template_layout(data, source)
    return CertificateTemplate(
        kind=data["kind"],
        body=MappingProxyType(dict(body)),
        colours=MappingProxyType({k: colours[k] for k in _COLOUR_KEYS}),
        layout=MappingProxyType({k: layout[k] for k in _LAYOUT_KEYS}),
        source=source,
        **texts,
    )


def _template_texts(data: dict, source: str) -> dict[str, str]:
    """The template's texts, each a string with only the placeholders it may hold."""
    texts = {}
    for key in _TEXT_KEYS:
        value = data.get(key)
        if not isinstance(value, str):
            raise _template_error(source, f"{key} must be a string")
        texts[key] = value
    if texts["date_style"] not in ("hanzi", "arabic"):
        raise _template_error(source, "date_style must be 'hanzi' or 'arabic'")
    _check_placeholders(source, "serial_label", texts["serial_label"], frozenset({"serial"}))
    for key in ("subtitle", "file_label"):
        _check_placeholders(source, key, texts[key], _LABEL_PLACEHOLDERS)
    _check_placeholders(source, "verify_hint", texts["verify_hint"], frozenset({"verify_url"}))
    return texts


def _template_layout(data: dict, source: str) -> dict:
    """The template's [layout] table: known keys, each a non-negative integer."""
    layout = _table(source, data, "layout")
    for key in _LAYOUT_KEYS:
        value = layout.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _template_error(source, f"[layout] {key} must be a non-negative integer")
    unknown = set(layout) - set(_LAYOUT_KEYS)
    if unknown:
        raise _template_error(source, f"[layout] unknown keys {sorted(unknown)}")
    return layout


@cache
def load_template(kind: Kind, directory: Path = TEMPLATE_DIR) -> CertificateTemplate:
    """Read and check the template file of ``kind`` (cached per directory)."""
    if kind not in KINDS:
        raise ValueError(f"unknown certificate kind {kind!r}; expected one of {KINDS}")
    path = directory / f"{kind}.toml"
    template = parse_template(load_toml_strict(path), path.name)
    if template.kind != kind:
        raise _template_error(path.name, f"kind is {template.kind!r}, expected {kind!r}")
    return template


def _build(
    kind: Kind, issuing_body: str | None, basis: str | None, title: str | None = None, **values
) -> CertificateContent:
    template = load_template(kind)
    return CertificateContent(
        kind=kind,
        issuing_body=issuing_body if issuing_body is not None else template.issuing_body,
        basis=basis if basis is not None else template.default_basis,
        title=title if title is not None else template.default_title,
        **values,
    )


@dataclass(frozen=True)
class Placing:
    """What every contest certificate records: its serial, the holder and the placing."""

    serial: str
    holder_name: str
    contest_name: str
    event_name: str
    result_text: str  # "金牌", "一等奖", "第 2 名"
    issued_on: date


@dataclass(frozen=True)
class Honoured:
    """An honour as its certificate names it (POLICY §4.7)."""

    name: str  # "云南省技术能手"
    group: str  # picks the wording in honour.toml's [body]
    title: str
    recommended_by: str
    awarded_on_text: str


def _placing_values(placing: Placing) -> dict:
    return {f.name: getattr(placing, f.name) for f in fields(placing)}


def award_certificate(
    placing: Placing, *, holder_role: str = COMPETITOR_ROLE, issuing_body: str | None = None
) -> CertificateContent:
    """Build a 获奖证书 for a competitor or a coaching-team member of a placement."""
    return _build(
        CertificateKind.AWARD,
        issuing_body,
        None,
        holder_role=holder_role,
        **_placing_values(placing),
    )


def promotion_certificate(
    placing: Placing,
    *,
    from_grade: str,
    to_grade: str,
    issuing_body: str | None = None,
    basis: str | None = None,
) -> CertificateContent:
    """Build a 晋升职业技能等级确认书 for a competitor whose promotion was confirmed."""
    return _build(
        CertificateKind.PROMOTION,
        issuing_body,
        basis,
        holder_role=COMPETITOR_ROLE,
        from_grade=from_grade,
        to_grade=to_grade,
        **_placing_values(placing),
    )


def title_certificate(
    placing: Placing,
    *,
    issuing_body: str | None = None,
    basis: str | None = None,
    title: str | None = None,
) -> CertificateContent:
    """Build the certificate of an approved title (the template's default title if none given)."""
    return _build(
        CertificateKind.TITLE,
        issuing_body,
        basis,
        title,
        holder_role=COMPETITOR_ROLE,
        **_placing_values(placing),
    )


def honour_certificate(
    *, serial: str, holder_name: str, honour: Honoured, issued_on: date, basis: str | None = None
) -> CertificateContent:
    """Build the certificate of a confirmed honour (POLICY §4.7): the honour, its date and
    the recommending body; ``honour.group`` picks the wording in honour.toml's [body]."""
    return _build(
        CertificateKind.HONOUR,
        None,
        basis,
        honour.title,
        serial=serial,
        holder_name=holder_name,
        holder_role=honour.group,
        contest_name=honour.name,
        event_name=honour.recommended_by,
        result_text=honour.awarded_on_text,
        issued_on=issued_on,
    )


def placeholder_values(content: CertificateContent, template: CertificateTemplate) -> dict:
    """Return the values a template's placeholders are filled with."""
    values = {f.name: getattr(content, f.name) for f in fields(content) if f.name != "kind"}
    values["issued_on"] = format_date(content.issued_on, template.date_style)
    # A snapshot taken before certificates carried their title names the template's default.
    values["title"] = content.title or template.default_title
    return values


def label_text(text: str, content: CertificateContent, template: CertificateTemplate) -> str:
    """Return a template's subtitle or file label with the certificate's title filled in."""
    return text.format(title=content.title or template.default_title)


def body_text(content: CertificateContent, template: CertificateTemplate | None = None) -> str:
    """Return the certificate's body paragraph with its placeholders filled."""
    template = template or load_template(content.kind)
    return template.body_for(content.holder_role).format_map(placeholder_values(content, template))


def verify_url(base_url: str, serial: str) -> str:
    """Return the public verification address of ``serial`` under ``base_url``."""
    if not is_well_formed(serial):
        raise ValueError(f"malformed certificate serial {serial!r}")
    return f"{base_url.rstrip('/')}/verify/{serial}"


# Characters Windows, macOS or Linux refuse or treat specially in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_PART_CHARS = 30  # keeps the whole name well under 255 bytes even in 3-byte UTF-8


def safe_part(text: str, limit: int = _PART_CHARS, fallback: str = "未命名") -> str:
    """Return ``text`` fit for a file name: no refused characters or spaces, ``limit`` long."""
    text = unicodedata.normalize("NFC", text)
    text = _UNSAFE.sub("", text)
    text = re.sub(r"\s+", "", text).strip(".")
    return text[:limit] or fallback


def file_name(content: CertificateContent) -> str:
    """Return a file-system-safe PDF name: 获奖证书_张三_<contest>_<serial8>.pdf."""
    template = load_template(content.kind)
    label = label_text(template.file_label, content, template)
    parts = (label, content.holder_name, content.contest_name)
    return "_".join(safe_part(p) for p in parts) + f"_{content.serial[:8]}.pdf"
