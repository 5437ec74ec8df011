"""Every contest records its organising jurisdiction (POLICY.md §3).

Existing contests get a sensible default: a contest of the world, national or provincial
tier is run by the province (530000). A prefecture-tier contest is run by the prefecture
whose name (or short name) its organising body carries ("迪庆州人力资源和社会保障局" →
533400); failing that, by the prefecture that sent most of its entries; failing that (no
entries), by 迪庆州, the only prefecture whose contest rules compapp held until now. An
organiser can correct it on the contest's form.

Revision ID: 0010_i13
Revises: 0009_i13
"""
from collections import Counter

from alembic import op
import sqlalchemy as sa


revision = "0010_i13"
down_revision = "0009_i13"
branch_labels = None
depends_on = None

PREFECTURE_CATEGORIES = ("prefecture_comprehensive", "prefecture_class1", "prefecture_class2")


def _default_organisers(bind) -> dict[int, str]:
    prefectures = bind.execute(
        sa.text("SELECT code, name, short_name FROM jurisdictions WHERE level = 'prefecture'")
    ).all()
    contests = bind.execute(
        sa.text(
            "SELECT contests.id, organising_bodies.name FROM contests"
            " JOIN organising_bodies ON organising_bodies.id = contests.organising_body_id"
            " WHERE contests.category IN ('prefecture_comprehensive', 'prefecture_class1',"
            " 'prefecture_class2')"
        )
    ).all()
    chosen = {}
    for contest_id, body in contests:
        named = [code for code, name, short in prefectures if name in body or short in body]
        if len(named) == 1:
            chosen[contest_id] = named[0]
            continue
        sent = bind.execute(
            sa.text(
                "SELECT jurisdictions.parent_code FROM entries"
                " JOIN events ON events.id = entries.event_id"
                " JOIN jurisdictions ON jurisdictions.code = entries.sending_county_code"
                " WHERE events.contest_id = :contest"
            ),
            {"contest": contest_id},
        ).scalars().all()
        chosen[contest_id] = Counter(sent).most_common(1)[0][0] if sent else "533400"
    return chosen


def upgrade():
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organiser_code", sa.String(length=6), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE contests SET organiser_code = '530000'"))
    for contest_id, code in _default_organisers(bind).items():
        bind.execute(
            sa.text("UPDATE contests SET organiser_code = :code WHERE id = :id"),
            {"code": code, "id": contest_id},
        )
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.alter_column("organiser_code", existing_type=sa.String(length=6), nullable=False)
        batch_op.create_index(batch_op.f("ix_contests_organiser_code"), ["organiser_code"])
        batch_op.create_foreign_key(
            batch_op.f("fk_contests_organiser_code_jurisdictions"),
            "jurisdictions",
            ["organiser_code"],
            ["code"],
        )


def downgrade():
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contests_organiser_code_jurisdictions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_contests_organiser_code"))
        batch_op.drop_column("organiser_code")
