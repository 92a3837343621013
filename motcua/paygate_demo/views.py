"""The demo bank behind the sandbox gateway (`/demo-bank/pay/`): what a real bank's payment
page does, inside motcua, so the demo and the tests pay for real without outside access.

GET: checks the merchant's signed request (as a bank would: a forged or altered request is
refused), shows the merchant, the order and the amount, with "Thanh toán" and "Hủy giao
dịch". POST (CSRF-protected): signs the result in the VNPay-style format with the sandbox
secret and keeps the transaction in the bank's book (`models.BankTransaction`, which its
daily statement is made of), sends it server to server to motcua's callback (the IPN,
`/api/v1/payments/callback/sandbox`; best effort: a bank retries, and the payer's return
carries the same signed result, which motcua also accepts), then sends the payer back to the
merchant's return address with it.

`/demo-bank/statement/?day=dd/mm/yyyy`: the bank's statement of a day from its book, the CSV
that reconciliation reads, for the merchant's accountants (who may reconcile in motcua):
what a real bank's merchant pages give them to download.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import quote_plus, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from motcua.core import clock
from motcua.core.clock import VN_TZ, parse_vn_date
from motcua.payments.gateways.base import InvalidCallback
from motcua.payments.gateways.registry import UnknownGateway, gateway_get
from motcua.payments.reconcile_selectors import reconciliation_allowed

from .services import bank_payment_decide, bank_statement_write

logger = logging.getLogger(__name__)

#: The request fields the bank keeps through its page (the signed request).
REQUEST_FIELDS = (
    "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode", "vnp_TxnRef",
    "vnp_OrderInfo", "vnp_OrderType", "vnp_Locale", "vnp_ReturnUrl", "vnp_IpAddr",
    "vnp_CreateDate", "vnp_ExpireDate", "vnp_SecureHash",
)  # fmt: skip


def _problem(request_fields: dict[str, str]) -> str | None:
    try:
        gateway = gateway_get("sandbox")
    except UnknownGateway:
        return _("Cổng thanh toán thử nghiệm chưa được bật.")
    try:
        gateway.verify(request_fields)  # type: ignore[attr-defined]
    except InvalidCallback:
        return _("Yêu cầu thanh toán không hợp lệ (sai chữ ký).")
    if not request_fields.get("vnp_Amount", "").isdigit():
        return _("Số tiền không hợp lệ.")
    expires = request_fields.get("vnp_ExpireDate", "")
    now = clock.now().astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")
    if expires and expires < now:
        return _("Yêu cầu thanh toán đã hết hạn.")
    return_url = request_fields.get("vnp_ReturnUrl", "")
    if urlsplit(return_url).scheme not in ("", "http", "https"):
        return _("Địa chỉ quay về không hợp lệ.")
    return None


def bank_result(fields: dict[str, str], *, paid: bool) -> dict[str, str]:
    """The bank decides now (`bank_payment_decide`): the signed result, kept in its book."""
    return bank_payment_decide(fields=fields, paid=paid, now=clock.now())


def _send_ipn(result: dict[str, str]) -> None:
    """Server to server, like the bank's IPN. Best effort: not reaching motcua (a test
    client with no server, a restart) only means the payer's return delivers the result."""
    url = f"{settings.MOTCUA_PUBLIC_URL}/api/v1/payments/callback/sandbox"
    body = urlencode(result).encode()
    ipn = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - our own URL
    ipn.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        timeout = settings.MOTCUA_DEMO_BANK_IPN_TIMEOUT_S
        with urllib.request.urlopen(ipn, timeout=timeout) as answer:  # noqa: S310
            answer.read(2048)
    # RuntimeError: the tests' network guard refuses hosts other than loopback
    except (OSError, RuntimeError, urllib.error.URLError) as exc:
        logger.info("demo bank: IPN not delivered (%s); the return carries it", type(exc).__name__)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    fields = {name: source.get(name, "") for name in REQUEST_FIELDS if name in source}
    problem = _problem(fields)
    if problem is not None:
        return render(request, "paygate_demo/error.html", {"problem": problem}, status=400)
    if request.method == "GET":
        context = {
            "fields": fields,
            "amount_vnd": int(fields["vnp_Amount"]) // 100,
            "merchant": fields.get("vnp_TmnCode", ""),
        }
        return render(request, "paygate_demo/pay.html", context)
    result = bank_result(fields, paid=request.POST.get("decision") == "pay")
    _send_ipn(result)
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in result.items())
    back = fields.get("vnp_ReturnUrl", "/")
    return HttpResponseRedirect(f"{back}{'&' if '?' in back else '?'}{query}")


def _statement_refused(request: HttpRequest, problem: str, *, status: int) -> HttpResponse:
    heading = _("Không tải được sao kê")
    context = {"problem": problem, "heading": heading}
    return render(request, "paygate_demo/error.html", context, status=status)


@never_cache
@require_safe
def statement(request: HttpRequest) -> HttpResponse:
    """The statement of `?day=` (Việt Nam time) as CSV: to an accountant of the merchant (who
    may reconcile in motcua) or a superuser; others are asked to sign in, or refused."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not reconciliation_allowed(actor=request.user):
        problem = _("Chỉ kế toán (người đối soát thanh toán) được tải sao kê.")
        return _statement_refused(request, problem, status=403)
    try:
        gateway_get("sandbox")
    except UnknownGateway:
        problem = _("Cổng thanh toán thử nghiệm chưa được bật.")
        return _statement_refused(request, problem, status=404)
    day = parse_vn_date(request.GET.get("day", ""))
    if day is None:
        problem = _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 01/12/2026.")
        return _statement_refused(request, problem, status=400)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sao-ke-{day:%Y-%m-%d}.csv"'
    bank_statement_write(day=day, out=response)
    return response
