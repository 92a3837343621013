from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import now as wall_now
from motcua.core.errors import DomainError
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.demo.certified_copies import demo_certified_copies_load
from motcua.demo.datastore import demo_datastore_load
from motcua.demo.dossiers import (
    demo_citizen_dossiers_load,
    demo_dossiers_load,
    demo_verify_codes,
)
from motcua.demo.feedback import demo_feedback_load
from motcua.demo.identity import NEWCOMERS, demo_identity_people_load
from motcua.demo.organisations import AUTHORISED, demo_organisations_load
from motcua.demo.payments import demo_payments_load
from motcua.documents.issued import verify_path
from motcua.notifications.services import templates_seed
from motcua.organisation.services import unit_tree_load


class Command(BaseCommand):
    help = (
        "Nạp thành phố trình diễn: đơn vị Hà Nội, lịch làm việc, danh mục thủ tục, tài khoản "
        "và vài trăm hồ sơ ở mọi trạng thái (chạy lại không tạo trùng). Load the demo city."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dossiers",
            type=int,
            default=300,
            help="Số hồ sơ trình diễn (chỉ tạo khi chưa có hồ sơ nào).",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--url",
            default=None,
            help=(
                "Địa chỉ máy chủ in ra cuối cùng; mặc định MOTCUA_PUBLIC_URL (make run đặt nó "
                "theo HOST và PORT), địa chỉ mà mã QR trên giấy tờ trỏ tới."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "MOTCUA_DEMO_MODE", False):
            # The demo accounts share one public password: never on a real system.
            raise CommandError(
                _(
                    "Chế độ trình diễn đang tắt (MOTCUA_DEMO_MODE): load_demo tạo các tài khoản "
                    "dùng chung một mật khẩu công khai nên không chạy trên hệ thống thật. Dùng "
                    "DJANGO_SETTINGS_MODULE=config.settings.local (make run) hoặc đặt "
                    "MOTCUA_DEMO_MODE=1 cho một máy trình diễn."
                )
            )
        started = time.perf_counter()
        now = wall_now()
        try:
            self._step("Đơn vị Hà Nội")
            units = unit_tree_load(province_code="01")
            self.stdout.write(
                f"  {units.created} mới, {units.updated} cập nhật, "
                f"{units.service_points} điểm phục vụ"
            )
            self._step("Lịch làm việc, ngày lễ")
            years = [now.year - 1, now.year, now.year + 1]
            calendar = calendar_seed(years=years, now=now)
            self.stdout.write(f"  {calendar}")
            self._step("Danh mục thủ tục")
            catalog = catalog_load_demo(now=now)
            self.stdout.write(
                f"  {catalog.total} thủ tục: {catalog.created} mới, {catalog.updated} cập nhật, "
                f"{catalog.unchanged} giữ nguyên"
            )
            self._step("Tài khoản trình diễn")
            accounts, raw_key = demo_accounts_load(now=now)
            self._step("Tổ chức trên cổng và người được thay mặt")
            self.stdout.write(f"  {demo_organisations_load(now=now)}")
            self._step("Kho dữ liệu, dữ liệu quốc gia trình diễn")
            self.stdout.write(f"  {demo_datastore_load(now=now)}")
            self._step("Mẫu thông báo (SMS, thư điện tử, trên cổng)")
            self.stdout.write(f"  {templates_seed()} mẫu mới")
            self._step("Hồ sơ trình diễn")
            dossiers = demo_dossiers_load(
                count=options["dossiers"], seed=options["seed"], now=now, progress=self._progress
            )
            self.stdout.write(f"  {dossiers}")
            self._step("Hồ sơ của công dân trình diễn (congdan)")
            self.stdout.write(f"  {demo_citizen_dossiers_load(now=now, seed=options['seed'])}")
            self._step("Phí, lệ phí đã thu và biên lai điện tử")
            self.stdout.write(f"  {demo_payments_load(now=now)}")
            self._step("Sổ chứng thực bản sao trình diễn")
            self.stdout.write(f"  {demo_certified_copies_load(now=now)} bản sao mới")
            self._step("Phản ánh, kiến nghị của người dân")
            self.stdout.write(f"  {demo_feedback_load(now=now)} phản ánh mới")
            self._step("VNeID thử nghiệm (đăng nhập bằng OpenID Connect)")
            people = demo_identity_people_load()
            self.stdout.write(f"  {people} người mới")
        except DomainError as exc:
            raise CommandError(exc.render()) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"\nThành phố trình diễn sẵn sàng ({time.perf_counter() - started:.1f} s)."
            )
        )
        self.stdout.write(f"\nTài khoản trình diễn (mật khẩu: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.username:<22} {account.role:<32} {account.where}")
        self.stdout.write(
            f"  {AUTHORISED:<22} {'Công dân, được uỷ quyền':<32} thay mặt Công ty TNHH Sen Vàng"
        )
        if raw_key:
            self.stdout.write(f"\nKhoá API của tichhop.congtinh (chỉ hiện một lần): {raw_key}")
        public = settings.MOTCUA_PUBLIC_URL.rstrip("/")
        url = (options["url"] or public).rstrip("/")
        if url != public:
            # the documents signed above carry MOTCUA_PUBLIC_URL in their QR codes
            self.stdout.write(
                self.style.WARNING(
                    f"\nLưu ý: mã QR trên giấy tờ và các trang trả về trỏ tới {public} "
                    f"(MOTCUA_PUBLIC_URL), không phải {url}: đặt MOTCUA_PUBLIC_URL={url} "
                    "trước khi nạp và chạy máy chủ."
                )
            )
        if settings.MOTCUA_IDENTITY_PROVIDERS.get("oidc"):
            newcomer = NEWCOMERS[0]
            self.stdout.write(
                f"\nĐăng nhập bằng VNeID thử nghiệm: {url}/accounts/oidc/login/ (chọn Nguyễn Văn "
                f"An, hoặc {newcomer['full_name']}: chưa có tài khoản, được tạo khi đăng nhập)"
            )
        codes = demo_verify_codes(count=2)
        if codes:
            self.stdout.write("\nKiểm tra kết quả đã ký số (không cần đăng nhập):")
            for code in codes:
                self.stdout.write(f"  {url}{verify_path(code)}")
        self.stdout.write(f"\nMở {url}/  ·  Quản trị: {url}/admin/  ·  API: {url}/api/v1/docs\n")

    def _step(self, title: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"• {title}"))

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            self.stdout.write(f"  {done}/{total}")
