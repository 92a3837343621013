from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.core.clock import now as wall_now
from motcua.demo.pki import demo_pki_build


class Command(BaseCommand):
    help = (
        "Tạo PKI trình diễn (CA trình diễn, chứng thư ký số cho từng đơn vị, CRL) trong "
        "var/pki; giữ PKI đã có. Create the demo PKI (DEMO ONLY)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            default=None,
            help="Thư mục PKI (mặc định: var/pki).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "MOTCUA_DEMO_MODE", False):
            raise CommandError(
                _(
                    "Chế độ trình diễn đang tắt (MOTCUA_DEMO_MODE): demo_pki tạo khoá ký với mật "
                    "khẩu công khai nên không chạy trên hệ thống thật."
                )
            )
        directory = Path(options["directory"] or Path(settings.VAR_DIR) / "pki")
        pki = demo_pki_build(directory=directory, now=wall_now())
        state = f"{len(pki.created)} tệp mới" if pki.created else "giữ nguyên"
        self.stdout.write(
            f"PKI trình diễn (không dùng thật) ở {directory}: {state}; CA {pki.ca_path.name}, "
            f"{len(pki.signers)} đơn vị ký ({', '.join(sorted(pki.signers))})."
        )
