"""`/profile/`: the signed-in person's own details, "check your answers" style: one summary
list, one page per change (`/profile/<field>/`), the address as province then ward (the ward
list follows the province: with htmx at once, without JavaScript after "Chọn tỉnh").

The rules are `motcua.accounts.profile.user_profile_update`; fields the identity provider
verified are shown locked and have no change page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from motcua.accounts.contact import (
    CODE_MINUTES,
    contact_code_live,
    contact_confirmation_resend,
    contact_confirmation_verify,
    contact_confirmed,
)
from motcua.accounts.models import ContactChannel, User
from motcua.accounts.profile import (
    identity_source_label,
    user_profile_update,
    verified_fields,
)
from motcua.accounts.sms_codes import SignInCodeLimited
from motcua.core.addresses import province_get, provinces_choices, wards_choices
from motcua.core.clock import VN_TZ
from motcua.core.clock import now as clock_now
from motcua.core.errors import ValidationError
from motcua.web.fields import ServiceCheckedCharField
from motcua.web.forms import CodeForm


@dataclass(frozen=True)
class FieldPage:
    field: str  # the profile field (`user_profile_update`'s key)
    label: Any
    hint: Any
    attrs: dict[str, str]


PAGES: dict[str, FieldPage] = {
    "name": FieldPage(
        "full_name",
        _("Họ và tên"),
        _("Như trên thẻ căn cước, ví dụ Nguyễn Văn An."),
        {"autocomplete": "name", "spellcheck": "false"},
    ),
    "personal-id": FieldPage(
        "personal_id",
        _("Số định danh cá nhân"),
        _("12 chữ số trên thẻ căn cước, ví dụ 001090012345."),
        {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "class": "input-12"},
    ),
    "date-of-birth": FieldPage(
        "date_of_birth",
        _("Ngày sinh"),
        _("Ngày/tháng/năm, ví dụ 12/05/1990."),
        {"inputmode": "numeric", "autocomplete": "bday", "class": "input-date"},
    ),
    "phone": FieldPage(
        "phone",
        _("Số điện thoại di động"),
        _("10 chữ số, ví dụ 0912345678. Số mới cần được xác nhận."),
        {"type": "tel", "autocomplete": "tel", "inputmode": "tel"},
    ),
    "email": FieldPage(
        "email",
        _("Thư điện tử"),
        _("Ví dụ ten@example.vn. Địa chỉ mới cần được xác nhận."),
        {"type": "email", "autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    ),
}
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class ValueForm(forms.Form):
    value = ServiceCheckedCharField(max_length=300)

    def __init__(self, *args: Any, page: FieldPage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        field.label = page.label
        field.help_text = page.hint
        field.widget.attrs.update(page.attrs)
        if "type" in page.attrs:
            field.widget.input_type = page.attrs["type"]


class AddressForm(forms.Form):
    province = forms.ChoiceField(label=_("Tỉnh, thành phố"))
    ward = forms.ChoiceField(label=_("Phường, xã, đặc khu"))
    street = forms.CharField(
        label=_("Số nhà, đường phố, thôn, tổ"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )

    def __init__(self, *args: Any, province_code: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose = [("", gettext("Chọn"))]
        province, ward = self.fields["province"], self.fields["ward"]
        assert isinstance(province, forms.ChoiceField)
        assert isinstance(ward, forms.ChoiceField)
        province.choices = [*choose, *provinces_choices()]
        ward.choices = [*choose, *wards_choices(province_code)]


def _date_parse(text: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).replace(tzinfo=VN_TZ).date()
        except ValueError:
            continue
    return None


def _rows(user: User) -> list[dict[str, Any]]:
    locked = verified_fields(user)
    source = identity_source_label(user)
    phone_note = email_note = ""
    if user.phone:
        phone_note = (
            ""
            if contact_confirmed(person=user, channel=ContactChannel.PHONE)
            else gettext("chưa xác nhận")
        )
    if user.email:
        email_note = (
            ""
            if contact_confirmed(person=user, channel=ContactChannel.EMAIL)
            else gettext("chưa xác nhận")
        )
    dob = f"{user.date_of_birth:%d/%m/%Y}" if user.date_of_birth else ""
    rows = [
        ("name", PAGES["name"].label, user.full_name, ""),
        ("personal-id", PAGES["personal-id"].label, user.personal_id, ""),
        ("date-of-birth", PAGES["date-of-birth"].label, dob, ""),
        ("address", _("Địa chỉ"), user.address, ""),
        ("phone", PAGES["phone"].label, user.phone, phone_note),
        ("email", PAGES["email"].label, user.email, email_note),
    ]
    result = []
    for slug, label, value, note in rows:
        field = PAGES[slug].field if slug in PAGES else "address"
        result.append(
            {
                "slug": slug,
                "label": label,
                "value": value,
                "note": note,
                "locked": field in locked,
                "locked_text": gettext("đã xác thực qua %(source)s") % {"source": source},
            }
        )
    return result


@never_cache
@login_required
@require_safe
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "portal/profile/summary.html",
        {
            "rows": _rows(user),
            "verified": user.identity_verified_at is not None,
            "has_password": user.has_usable_password(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_field(request: HttpRequest, slug: str) -> HttpResponse:
    page = PAGES.get(slug)
    if page is None:
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    if page.field in verified_fields(user):
        messages.info(
            request,
            gettext("Thông tin này đã được xác thực qua %(source)s nên không sửa được ở đây.")
            % {"source": identity_source_label(user)},
        )
        return redirect("portal:profile")
    current = getattr(user, page.field)
    if isinstance(current, dt.date):
        current = f"{current:%d/%m/%Y}"
    if request.method == "POST":
        form = ValueForm(request.POST, page=page)
        if form.is_valid():
            raw = form.cleaned_data["value"]
            value: object = raw
            if page.field == "date_of_birth":
                value = _date_parse(raw) if raw.strip() else None
            try:
                user_profile_update(user=user, changes={page.field: value}, now=clock_now())
            except ValidationError as exc:
                for problem in exc.errors or [{"message": exc.render()}]:
                    form.add_error("value", problem["message"])
            else:
                messages.success(request, gettext("Đã lưu thay đổi."))
                if (
                    page.field in CONFIRM_SLUGS.values()
                    and getattr(user, page.field)
                    and not contact_confirmed(person=user, channel=page.field)
                ):
                    return redirect("portal:profile_confirm", page.field)  # type the code
                return redirect("portal:profile")
        status = 400
    else:
        form = ValueForm(initial={"value": current or ""}, page=page)
        status = 200
    return render(request, "portal/profile/field.html", {"form": form, "page": page}, status=status)


def _address_form(request: HttpRequest, user: User) -> tuple[AddressForm, str]:
    data = request.POST if request.method == "POST" else request.GET
    province = data.get("province", user.address_province_code) or ""
    province = province if province_get(province) is not None else ""
    if request.method == "POST" or "province" in request.GET:
        form = AddressForm(data, province_code=province)
    else:
        form = AddressForm(
            initial={
                "province": user.address_province_code,
                "ward": user.address_ward_code,
                "street": user.address_street,
            },
            province_code=province,
        )
    return form, province


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_address(request: HttpRequest) -> HttpResponse:
    """Province, then ward, then the street line. "Chọn tỉnh" (the no-JavaScript way) posts
    with `action=province` and shows the wards of that province, keeping what was typed."""
    user: User = request.user  # type: ignore[assignment]
    form, province = _address_form(request, user)
    status = 200
    if request.method == "POST" and request.POST.get("action") != "province":
        form.is_valid()  # choice fields are checked again by the service
        try:
            user_profile_update(
                user=user,
                changes={
                    "address": {
                        "province": request.POST.get("province", ""),
                        "ward": request.POST.get("ward", ""),
                        "street": request.POST.get("street", ""),
                    }
                },
                now=clock_now(),
            )
        except ValidationError as exc:
            form.errors.clear()
            for problem in exc.errors:
                form.add_error(problem["field"].removeprefix("address_"), problem["message"])
            status = 400
        else:
            messages.success(request, gettext("Đã lưu địa chỉ."))
            return redirect("portal:profile")
    elif request.method == "POST":
        form.errors.clear()  # only the province was chosen: no error yet
    return render(
        request,
        "portal/profile/address.html",
        {"form": form, "province": province},
        status=status,
    )


@login_required
@require_safe
def profile_address_wards(request: HttpRequest) -> HttpResponse:
    """The ward select for a province (htmx swaps it in when the province changes)."""
    province = request.GET.get("province", "")
    province = province if province_get(province) is not None else ""
    form = AddressForm(province_code=province)
    return render(request, "portal/profile/_ward.html", {"form": form, "province": province})


#: `/profile/confirm/<channel>/`: the contacts a code confirms.
CONFIRM_SLUGS = {"phone": ContactChannel.PHONE, "email": ContactChannel.EMAIL}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_confirm(request: HttpRequest, channel: str) -> HttpResponse:
    """Type the code sent to the account's phone (SMS) or e-mail; "Gửi lại mã" posts
    `action=resend` for a new one (limited: 1 a minute, 5 an hour)."""
    kind = CONFIRM_SLUGS.get(channel)
    if kind is None:
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    value = getattr(user, kind.value)
    if not value or contact_confirmed(person=user, channel=kind):
        return redirect("portal:profile")
    form = CodeForm(request.POST if request.method == "POST" else None)
    form.fields["code"].label = _("Mã xác nhận")
    form.fields["code"].error_messages["required"] = _("Nhập mã xác nhận.")
    status = 200
    if request.method == "POST" and request.POST.get("action") == "resend":
        form = CodeForm(None)
        form.fields["code"].label = _("Mã xác nhận")
        try:
            contact_confirmation_resend(person=user, channel=kind, now=clock_now())
        except SignInCodeLimited as exc:
            messages.error(request, exc.render())
            status = 429
        except ValidationError as exc:
            messages.error(request, exc.render())
            return redirect("portal:profile")
        else:
            messages.success(request, gettext("Đã gửi mã mới."))
            return redirect("portal:profile_confirm", channel)
    elif request.method == "POST" and form.is_valid():
        try:
            contact_confirmation_verify(
                person=user, channel=kind, code=form.cleaned_data["code"], now=clock_now()
            )
        except SignInCodeLimited as exc:
            form.add_error("code", exc.render())
            status = 429
        except ValidationError as exc:
            form.add_error("code", exc.render())
            status = 400
        else:
            messages.success(
                request,
                gettext("Đã xác nhận số điện thoại.")
                if kind == ContactChannel.PHONE
                else gettext("Đã xác nhận thư điện tử."),
            )
            return redirect("portal:profile")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "portal/profile/confirm.html",
        {
            "form": form,
            "channel": channel,
            "is_phone": kind == ContactChannel.PHONE,
            "value": value,
            "minutes": CODE_MINUTES,
            "live": contact_code_live(person=user, channel=kind, now=clock_now()),
        },
        status=status,
    )
