"""Time the certificates of a 1,000-placement contest: render_zip against a bare ReportLab loop.

Run: .venv/bin/python benchmarks/certificates_bench.py [--placements N] [--bare N] [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab import rl_config  # noqa: E402
from reportlab.lib.colors import HexColor, white  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from compapp.certificates.bundle import render_zip  # noqa: E402
from compapp.certificates.content import (  # noqa: E402
    Placing,
    award_certificate,
    body_text,
    format_date,
    verify_url,
)
from compapp.certificates.fonts import ensure_font  # noqa: E402
from compapp.certificates.pdf import (  # noqa: E402
    PAGE_HEIGHT,
    PAGE_WIDTH,
    qr_image,
    render_certificate,
    wrap_text,
)
from compapp.certificates.serials import new_serial  # noqa: E402

FAMILY = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
EVENTS = ["焊接", "电工", "中式烹调师", "砌筑", "美发", "汽车维修", "数控车", "茶艺师"]
RESULTS = ["金牌", "银牌", "铜牌", "优胜奖"]
FORMAT_SIZES = [1, 1, 1, 2, 2, 3]  # individual, pair and trio events, mostly individual


def contest_items(placements: int) -> list:
    """Build the award certificates of a contest: every competitor and coach of each placement."""
    items = []
    n = 0
    for p in range(placements):
        members = [("选手", FORMAT_SIZES[p % len(FORMAT_SIZES)])]
        members.append(("教练", 1 + (p % 4 == 0)))  # every fourth entry has two coaches
        for role, count in members:
            for _ in range(count):
                serial = new_serial()
                name = FAMILY[n % len(FAMILY)] + GIVEN[(n * 7) % len(GIVEN)] + GIVEN[n % len(GIVEN)]
                n += 1
                content = award_certificate(
                    Placing(
                        serial=serial,
                        holder_name=name,
                        contest_name="2026年云南省第四届职业技能大赛",
                        event_name=EVENTS[p % len(EVENTS)],
                        result_text=RESULTS[p % len(RESULTS)],
                        issued_on=date(2026, 11, 20),
                    ),
                    holder_role=role,
                )
                items.append((content, verify_url("https://compapp.example.cn", serial)))
    return items


def bare_page(font: str, content, url: str) -> bytes:
    """Draw the award page with ReportLab calls only: no template look-up, no helpers."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, initialFontName=font)
    c.setFillColor(HexColor("#FFFCF2"))
    c.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)
    c.setStrokeColor(HexColor("#9E1B1B"))
    c.setLineWidth(3.2)
    c.rect(8 * mm, 8 * mm, PAGE_WIDTH - 16 * mm, PAGE_HEIGHT - 16 * mm)
    c.setLineWidth(0.7)
    c.rect(9.6 * mm, 9.6 * mm, PAGE_WIDTH - 19.2 * mm, PAGE_HEIGHT - 19.2 * mm)
    c.saveState()
    c.setStrokeColor(HexColor("#C19A3B"))
    c.setLineWidth(1.3 * mm)
    c.setLineCap(1)
    c.setDash([0, 4 * mm])
    c.rect(11.3 * mm, 11.3 * mm, PAGE_WIDTH - 22.6 * mm, PAGE_HEIGHT - 22.6 * mm)
    c.restoreState()
    c.setStrokeColor(HexColor("#C19A3B"))
    c.setFillColor(HexColor("#C19A3B"))
    c.setLineWidth(1.2)
    c.rect(13 * mm, 13 * mm, PAGE_WIDTH - 26 * mm, PAGE_HEIGHT - 26 * mm)
    for cx, cy, sx, sy in (
        (13 * mm, 13 * mm, 1, 1),
        (PAGE_WIDTH - 13 * mm, 13 * mm, -1, 1),
        (13 * mm, PAGE_HEIGHT - 13 * mm, 1, -1),
        (PAGE_WIDTH - 13 * mm, PAGE_HEIGHT - 13 * mm, -1, -1),
    ):
        c.lines(
            [
                (cx + sx * 3 * mm, cy + sy * 3 * mm, cx + sx * 14 * mm, cy + sy * 3 * mm),
                (cx + sx * 3 * mm, cy + sy * 3 * mm, cx + sx * 3 * mm, cy + sy * 14 * mm),
            ]
        )
        p = c.beginPath()
        p.moveTo(cx, cy - 2.2 * mm)
        p.lineTo(cx + 2.2 * mm, cy)
        p.lineTo(cx, cy + 2.2 * mm)
        p.lineTo(cx - 2.2 * mm, cy)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    c.setFillColor(HexColor("#A81C1C"))
    t = c.beginText(PAGE_WIDTH / 2 - 110, 160 * mm)
    t.setFont(font, 44)
    t.setCharSpace(5 * mm)
    t.textOut("获奖证书")
    t.setCharSpace(0)
    c.drawText(t)
    c.setFillColor(HexColor("#C19A3B"))
    c.setFont(font, 11)
    c.drawCentredString(PAGE_WIDTH / 2, 150 * mm, "CERTIFICATE OF AWARD")
    c.setStrokeColor(HexColor("#C19A3B"))
    c.setLineWidth(0.8)
    c.line(70 * mm, 151 * mm, 100 * mm, 151 * mm)
    c.line(197 * mm, 151 * mm, 227 * mm, 151 * mm)
    c.setFillColor(HexColor("#1F1F1F"))
    c.setFont(font, 30)
    c.drawString(50 * mm, 124 * mm, content.holder_name)
    w = stringWidth(content.holder_name, font, 30)
    c.setLineWidth(0.6)
    c.line(48 * mm, 121.8 * mm, 52 * mm + w, 121.8 * mm)
    c.setFont(font, 17)
    c.drawString(53 * mm + w, 124 * mm, "同志：")
    body = c.beginText(50 * mm, 108 * mm)
    body.setFont(font, 17, leading=11 * mm)
    for i, line in enumerate(wrap_text(body_text(content), font, 17, 200 * mm, indent=34)):
        body.setXPos(34 if i == 0 else 0)
        body.textLine(line)
        if i == 0:
            body.setXPos(-34)
    c.drawText(body)
    c.setFont(font, 16)
    c.drawCentredString(225 * mm, 52 * mm, content.issuing_body)
    c.drawCentredString(225 * mm, 42 * mm, format_date(content.issued_on))
    c.setFillColor(white)
    c.rect(28.5 * mm, 28.5 * mm, 33 * mm, 33 * mm, stroke=0, fill=1)
    c.drawImage(qr_image(url), 30 * mm, 30 * mm, 30 * mm, 30 * mm)
    c.setFillColor(HexColor("#6B6B6B"))
    c.setFont(font, 9)
    c.drawString(28.5 * mm, 24 * mm, f"证书编号：{content.serial}")
    c.setFont(font, 7)
    c.drawString(28.5 * mm, 24 * mm - 10.8, f"扫码核验：{url}")
    c.showPage()
    c.save()
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--placements", type=int, default=1000)
    parser.add_argument(
        "--bare", type=int, default=0, help="certificates in the bare loop (0: all)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is reported")
    args = parser.parse_args()

    started = time.perf_counter()
    font = ensure_font()
    print(f"font registration: {time.perf_counter() - started:.3f} s")
    items = contest_items(args.placements)
    cores = os.cpu_count() or 1
    print(
        f"contest: {args.placements} placements -> {len(items)} award certificates; {cores} cores"
    )

    sample = items[: args.bare] if args.bare else items
    # Best of --repeat rounds, interleaved, as timeit does: other load on a shared machine only
    # ever slows a round down, so the fastest round is the closest to the code's own cost.
    bare_rate = module_rate = zip_rate = 0.0
    for round_no in range(1, args.repeat + 1):
        bare = bare_loop_rate(font, sample)
        module = module_loop_rate(sample)
        rate, count, size = zip_run(items, cores)
        bare_rate, module_rate, zip_rate = (
            max(bare_rate, bare),
            max(module_rate, module),
            max(zip_rate, rate),
        )
        print(
            f"round {round_no}: bare {bare:6.1f}/s, render_certificate {module:6.1f}/s, "
            f"render_zip {rate:6.1f}/s ({count} files, {size / 1e6:.1f} MB), "
            f"per core / bare {rate / cores / bare:.2f}"
        )
    load = os.getloadavg()[0]
    print(f"best of {args.repeat} rounds (1-minute load average now {load:.2f}):")
    print(f"  bare ReportLab loop, 1 process:      {bare_rate:7.1f} certificates/s")
    print(f"  render_certificate loop, 1 process:  {module_rate:7.1f} certificates/s")
    print(f"  render_zip, {cores} workers:             {zip_rate:7.1f} certificates/s")
    per_core = zip_rate / cores / bare_rate
    print(f"  render_zip per core / bare loop:     {per_core:7.2f} (target >= 0.80)")


def bare_loop_rate(font: str, sample: list) -> float:
    """Return certificates per second of the bare ReportLab loop in this process."""
    saved = rl_config.useA85
    rl_config.useA85 = 0  # as pdf.py renders
    try:
        started = time.perf_counter()
        for content, url in sample:
            bare_page(font, content, url)
        return len(sample) / (time.perf_counter() - started)
    finally:
        rl_config.useA85 = saved


def module_loop_rate(sample: list) -> float:
    """Return certificates per second of render_certificate called in a plain loop."""
    started = time.perf_counter()
    for content, url in sample:
        render_certificate(content, url)
    return len(sample) / (time.perf_counter() - started)


def zip_run(items: list, workers: int) -> tuple[float, int, int]:
    """Render the contest's ZIP; return certificates per second, file count and ZIP size."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "contest.zip"
        started = time.perf_counter()
        render_zip(items, target, workers=workers)
        rate = len(items) / (time.perf_counter() - started)
        with zipfile.ZipFile(target) as archive:
            count = len(archive.namelist())
        return rate, count, target.stat().st_size


if __name__ == "__main__":
    main()
