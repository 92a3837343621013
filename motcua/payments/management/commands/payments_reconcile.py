"""Reconcile a gateway's statement file for one day with what motcua recorded:
`manage.py payments_reconcile --gateway sandbox --date 2026-12-01 FILE [--json] [--actor U]`.
Prints the matched count, both sides' totals and a table of the differences; exits 1 when
there are differences, 2 when the file cannot be read (with `--json`, its bad rows as
`{"code": "statement_invalid", "errors": [{"row", "reason", "column", "message"}, ...]}`),
0 when all matches."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.core import clock
from motcua.payments.gateways.base import StatementError, StatementNotSupported
from motcua.payments.gateways.registry import UnknownGateway, gateway_statement_reader
from motcua.payments.reconcile import (
    ReconciliationReport,
    payments_reconcile,
    statement_problem_json,
)


def _vnd(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Đối soát sao kê của cổng thanh toán trong một ngày với hệ thống. "
        "Reconcile a gateway's statement file for a day (exit 1 when something differs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp sao kê (CSV).")
        parser.add_argument("--gateway", required=True, help="sandbox, vnpay")
        parser.add_argument(
            "--date", required=True, type=dt.date.fromisoformat, help="Ngày, yyyy-mm-dd."
        )
        parser.add_argument("--json", action="store_true", help="Kết quả dạng JSON.")
        parser.add_argument("--actor", help="Tên đăng nhập của người đối soát.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            gateway = gateway_statement_reader(options["gateway"])
        except UnknownGateway as exc:
            raise CommandError(
                f"Không có cổng thanh toán {options['gateway']}.", returncode=2
            ) from exc
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"Không có người dùng {options['actor']}.", returncode=2)
        try:
            content = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}", returncode=2) from exc
        try:
            lines = gateway.parse_statement(io.BytesIO(content))
        except StatementNotSupported as exc:
            raise CommandError(f"Cổng {gateway.name} không có sao kê.", returncode=2) from exc
        except StatementError as exc:
            if options["json"]:  # the codes for a script, the texts for a person
                errors = [statement_problem_json(p) for p in exc.problems]
                body = {"code": "statement_invalid", "errors": errors}
                self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
            raise CommandError(f"Tệp sao kê không hợp lệ: {exc}", returncode=2) from exc
        report = payments_reconcile(
            gateway=gateway.name,
            day=options["date"],
            lines=lines,
            actor=actor,
            now=clock.now(),
            file_sha256=hashlib.sha256(content).hexdigest(),
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._summary(report)
        if not report.is_clean:
            raise SystemExit(1)

    def _summary(self, report: ReconciliationReport) -> None:
        run = report.run
        out = self.stdout
        again = "" if report.created else " (đã đối soát tệp này, kết quả như lần trước)"
        out.write(f"Đối soát {run.gateway} ngày {run.day:%d/%m/%Y}, lần #{run.pk}{again}")
        out.write(f"Khớp (matched): {run.matched_count} giao dịch, {_vnd(run.matched_vnd)} đ")
        out.write(
            f"Sao kê (statement): {run.statement_count} dòng, "
            f"đã thu {_vnd(run.statement_paid_vnd)} đ, đã hoàn {_vnd(run.statement_refunded_vnd)} đ"
        )
        out.write(
            f"Hệ thống (motcua): {run.motcua_count} giao dịch, "
            f"đã thu {_vnd(run.motcua_paid_vnd)} đ, đã hoàn {_vnd(run.motcua_refunded_vnd)} đ"
        )
        if report.is_clean:
            out.write(self.style.SUCCESS("Không có chênh lệch (no differences)."))
            return
        out.write(self.style.WARNING(f"Chênh lệch (differences): {len(report.differences)}"))
        header = ("kind", "reference", "gateway ref", "statement", "motcua", "row", "note")
        rows = [
            (
                d.kind,
                d.reference,
                d.gateway_reference,
                " ".join(x for x in (_vnd(d.statement_amount_vnd), d.statement_status) if x),
                " ".join(x for x in (_vnd(d.motcua_amount_vnd), d.motcua_status) if x),
                "" if d.row is None else str(d.row),
                d.note,
            )
            for d in report.differences
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            out.write("  ".join([*cells, row[-1]]).rstrip())
