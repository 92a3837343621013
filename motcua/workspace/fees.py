"""`/workspace/dossiers/<code>/fees/`: a dossier's fees and, for an officer of the collecting
unit, receiving them at the counter (cash or transfer, with the slip number); the amount is
shown in figures and in words before it is confirmed; and cancelling a wrong receipt with its
reason, replaced at once by a new one (the payer's name corrected if need be) when the
payment stands (docs/payments.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.documents.issued import verify_path
from motcua.dossiers.models import Dossier
from motcua.dossiers.receipt_selectors import dossier_receipts, receipt_channels
from motcua.dossiers.selectors import dossier_get_for_actor
from motcua.dossiers.services.fees import dossier_fee_lines
from motcua.dossiers.services.payments import dossier_payment_at_counter
from motcua.dossiers.services.receipts import dossier_receipt_cancel, receipt_number_display
from motcua.organisation.selectors import user_unit_ids
from motcua.payments.models import PaymentMethod, ReceiptStatus
from motcua.payments.orders import COLLECTOR_ROLES
from motcua.payments.receipts import receipt_cancel_allowed
from motcua.payments.services import PAYABLE
from motcua.payments.words import vnd_in_words
from motcua.web.access import forbidden, staff_required
from motcua.web.templatetags.web import money


class CounterPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("Hình thức nộp"),
        choices=[
            (PaymentMethod.CASH, gettext_lazy("Tiền mặt")),
            (PaymentMethod.TRANSFER, gettext_lazy("Chuyển khoản")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Chọn hình thức nộp.")},
    )
    slip_number = forms.CharField(
        label=gettext_lazy("Số phiếu thu hoặc số giao dịch chuyển khoản"),
        max_length=60,
        error_messages={"required": gettext_lazy("Ghi số phiếu thu hoặc số giao dịch.")},
    )


class ReceiptCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do hủy biên lai"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("In trên trang kiểm tra của biên lai đã hủy."),
        error_messages={"required": gettext_lazy("Ghi lý do hủy biên lai.")},
    )
    payer_name = forms.CharField(
        label=gettext_lazy("Tên người nộp trên biên lai thay thế"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Sửa nếu biên lai cũ ghi sai tên; để nguyên nếu đúng."),
    )


def _cancel_form(receipt: Any, data: Any = None) -> ReceiptCancelForm:
    return ReceiptCancelForm(
        data, prefix=f"r{receipt.pk}", initial={"payer_name": receipt.payer_name}
    )


def fees_summary(*, actor: User, dossier: Dossier) -> dict[str, Any]:
    """For the dossier page's link to the fees page: shown only when the dossier has fee lines;
    "thu tại quầy" only when the actor collects a line still to pay."""
    lines = dossier_fee_lines(dossier.code)
    payable = [line for line in lines if line.state in PAYABLE]
    collects = user_unit_ids(user=actor, roles=COLLECTOR_ROLES) if payable else set()
    return {
        "lines": len(lines),
        "payable": sum(line.net_vnd for line in payable),
        "collect": any(line.collecting_unit_id in collects for line in payable),
    }


def _context(
    *,
    actor: User,
    dossier: Dossier,
    form: CounterPaymentForm,
    cancel: tuple[int, ReceiptCancelForm] | None = None,
) -> dict[str, Any]:
    lines = dossier_fee_lines(dossier.code)
    collects = user_unit_ids(user=actor, roles=COLLECTOR_ROLES)
    payable = [line for line in lines if line.state in PAYABLE]
    mine = [line for line in payable if line.collecting_unit_id in collects]
    unit_id = mine[0].collecting_unit_id if mine else None
    chosen = [line for line in mine if line.collecting_unit_id == unit_id]
    amount = sum(line.net_vnd for line in chosen)
    receipts = dossier_receipts(dossier=dossier)
    channels = receipt_channels(receipts=receipts)
    return {
        "dossier": dossier,
        "lines": lines,
        "chosen": chosen,
        "amount": amount,
        "others": len(payable) - len(chosen),
        "receipts": [
            {
                "number": receipt_number_display(r),
                "receipt": r,
                "channel": channels[r.pk],
                "verify": verify_path(r.verify_code) if r.verify_code else "",
                "cancel": (
                    (cancel[1] if cancel and cancel[0] == r.pk else _cancel_form(r))
                    if r.status == ReceiptStatus.ISSUED
                    and receipt_cancel_allowed(actor=actor, receipt=r)
                    else None
                ),
                "cancel_open": bool(cancel and cancel[0] == r.pk),
            }
            for r in receipts
        ],
        "form": form,
    }


@staff_required
@require_http_methods(["GET", "POST"])
def dossier_fees(request: HttpRequest, code: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    try:
        dossier = dossier_get_for_actor(actor=actor, code=code, now=now, purpose="dossier_fees")
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)
    form = CounterPaymentForm(request.POST or None)
    context = _context(actor=actor, dossier=dossier, form=form)
    if request.method == "POST":
        if form.is_valid() and context["chosen"]:
            try:
                dossier_payment_at_counter(
                    dossier=dossier,
                    officer=actor,
                    method=form.cleaned_data["method"],
                    slip_number=form.cleaned_data["slip_number"],
                    line_ids=[line.pk for line in context["chosen"]],
                    now=now,
                )
            except DomainError as error:
                form.add_error(None, error.render())
            else:
                messages.success(
                    request,
                    _("Đã thu %(amount)s (%(words)s); biên lai điện tử đã được lập.")
                    % {
                        "amount": money(context["amount"]),
                        "words": vnd_in_words(context["amount"]),
                    },
                )
                return redirect("workspace:dossier_fees", code=dossier.code)
        elif form.is_valid():
            form.add_error(None, _("Không còn khoản nào bạn thu được cho hồ sơ này."))
        context = _context(actor=actor, dossier=dossier, form=form)
        return render(request, "workspace/fees.html", context, status=400)
    return render(request, "workspace/fees.html", context)


@staff_required
@require_POST
def dossier_receipt_cancel_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Cancel one of the dossier's receipts with its reason and sign its replacement."""
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    try:
        dossier = dossier_get_for_actor(actor=actor, code=code, now=now, purpose="dossier_fees")
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)
    receipt = next((r for r in dossier_receipts(dossier=dossier) if r.pk == pk), None)
    if receipt is None:
        return render(
            request,
            "workspace/not_found.html",
            {"message": _("Hồ sơ không có biên lai này.")},
            status=404,
        )
    form = _cancel_form(receipt, request.POST)
    if form.is_valid():
        payer_name = form.cleaned_data["payer_name"].strip()
        try:
            replacement = dossier_receipt_cancel(
                receipt=receipt,
                reason=form.cleaned_data["reason"],
                actor=actor,
                now=now,
                replace_with={"payer_name": payer_name} if payer_name else {},
            )
        except PermissionDenied as error:
            return forbidden(request, error.render())
        except DomainError as error:
            form.add_error(None, error.render())
        else:
            messages.success(
                request,
                _("Đã hủy biên lai %(old)s và lập biên lai thay thế %(new)s.")
                % {
                    "old": receipt_number_display(receipt),
                    "new": receipt_number_display(replacement) if replacement else "—",
                },
            )
            return redirect("workspace:dossier_fees", code=dossier.code)
    context = _context(
        actor=actor,
        dossier=dossier,
        form=CounterPaymentForm(),
        cancel=(receipt.pk, form),
    )
    context["summary_form"] = form  # the error summary lists this form's errors
    return render(request, "workspace/fees.html", context, status=400)
