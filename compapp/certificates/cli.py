"""``flask --app wsgi certificates …`` commands (registered in compapp.cli)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from compapp.certificates import holders, issuing, queries, services
from compapp.certificates.pdf import render_certificate
from compapp.contests.models import Contest
from compapp.extensions import db

certificates = AppGroup("certificates", help="Render and manage certificates.")


@certificates.command("render")
@click.option("--contest", "contest_id", type=int, required=True, help="The contest's id.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the PDF files into (created if missing).",
)
@click.option(
    "--base-url",
    default=None,
    help="Public address the QR codes point at (default: COMPAPP_BASE_URL).",
)
def render(contest_id: int, out_dir: Path, base_url: str | None) -> None:
    """Write a contest's valid certificates as PDF files; issue them first if none exist."""

    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise click.ClickException(f"no contest with id {contest_id}")
    try:
        base = (base_url or "").rstrip("/") or services.base_url()
    except services.BaseUrlUnknown as exc:
        raise click.ClickException(f"{exc} (or give --base-url)") from exc
    certs = [c for c in queries.contest_certificates(contest) if c.is_valid]
    if not certs:
        result = issuing.issue_all_certificates(contest)
        db.session.commit()
        click.echo(f"issued {len(result.issued)} certificate(s) for {contest.name}")
        for problem in result.problems:
            click.echo(f"not issued: {problem}", err=True)
        certs = result.issued
    else:
        pending = len(holders.pending_holders(contest))
        click.echo(
            f"{len(certs)} valid certificate(s) already issued for {contest.name}"
            + (f"; {pending} more due — issue them on the certificates page" if pending else "")
        )
    if not certs:
        click.echo(
            "nothing to write: no confirmed placement with a medal or prize, "
            "and no final promotion case"
        )
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for cert in certs:
        data = render_certificate(
            services.content_of(cert), services.verify_url_for(cert.serial, base)
        )
        (out_dir / services.download_name(cert)).write_bytes(data)
    click.echo(f"wrote {len(certs)} PDF file(s) to {out_dir}")
