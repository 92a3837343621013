"""Creating a citizen account with a phone number or an e-mail address and a password
(`/accounts/signup/`).

The person gives their full name, one contact (a Vietnamese mobile number or an e-mail
address), a password (Django's password validators) and ticks, themself, the consent to the
processing their account needs (`ConsentPurpose.ACCOUNT`, the wording `CONSENT_TEXT`,
version `CONSENT_VERSION`). Without that consent no account is created. Attempts are limited
per client address (`MOTCUA_RATE_LIMITS["signup"]`, every attempt counts, so that the "already
used" answer cannot be used to test many numbers). The contact starts unconfirmed: a
pending `ContactConfirmation` is recorded (`accounts.contact`), and signing in is allowed
meanwhile (docs/accounts.md).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError, ValidationError
from motcua.core.identifiers import InvalidIdentifier, phone_clean
from motcua.core.ratelimit import rate_limit_hit, rate_limit_retry_after
from motcua.core.services import audit_record

from .contact import contact_confirmation_request
from .models import ConsentPurpose, ContactChannel, User
from .services import consent_give

RATE_SCOPE = "signup"
FULL_NAME_MAX = 200
_SPACES = re.compile(r"\s+")

#: The consent the sign-up page asks for, in plain words. A new wording gets a new version
#: (the record keeps the version the person saw).
CONSENT_VERSION = "account-2026-01"
CONSENT_TEXT = _(
    "Tôi đồng ý để cơ quan quản lý cổng dịch vụ công lưu họ tên, số điện thoại hoặc thư điện "
    "tử của tôi để tạo tài khoản, đăng nhập và nhận thông báo về hồ sơ của tôi. Tôi có thể "
    "rút lại đồng ý này bất cứ lúc nào."
)


class SignUpLimited(DomainError):
    code = "signup_limited"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("Có quá nhiều lần đăng ký từ địa chỉ mạng này. Vui lòng thử lại sau ít phút.")
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Contact:
    channel: str  # ContactChannel
    value: str


def email_normalise(value: str) -> str:
    """Trimmed and lower-cased (addresses are compared in any letter case); ValueError when
    it is not an e-mail address."""
    text = unicodedata.normalize("NFC", value).strip().lower()
    try:
        validate_email(text)
    except DjangoValidationError as exc:
        raise ValueError("email") from exc
    return text


def contact_parse(value: str) -> Contact:
    """A phone number or an e-mail address, normalised: "+84 912 345 678" -> 0912345678.
    ValidationError (field `contact`) otherwise. Only mobile numbers: a confirmation code is
    sent by SMS."""
    text = (value or "").strip()
    if not text:
        raise _field_error("contact", "required", _("Nhập số điện thoại di động hoặc thư điện tử."))
    if "@" in text:
        try:
            return Contact(ContactChannel.EMAIL, email_normalise(text))
        except ValueError:
            raise _field_error(
                "contact", "email_invalid", _("Thư điện tử không hợp lệ, ví dụ: ten@example.vn.")
            ) from None
    try:
        phone = phone_clean(text)
    except InvalidIdentifier:
        raise _field_error(
            "contact",
            "phone_invalid",
            _(
                "Số điện thoại di động gồm 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
                "(ví dụ 0912345678 hoặc +84912345678), hoặc nhập thư điện tử."
            ),
        ) from None
    if phone.startswith("02"):
        raise _field_error(
            "contact",
            "phone_landline",
            _("Hãy dùng số di động (nhận được tin nhắn xác nhận), không dùng số cố định."),
        )
    return Contact(ContactChannel.PHONE, phone)


def contact_taken(*, contact: Contact, exclude: User | None = None) -> bool:
    """Whether another account already has this phone number or e-mail address."""
    others = User.objects.all()
    if contact.channel == ContactChannel.PHONE:
        others = others.filter(phone=contact.value)
    else:
        others = others.filter(email__iexact=contact.value)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


TAKEN_MESSAGES = {
    ContactChannel.PHONE: _(
        "Số điện thoại này đã được dùng cho một tài khoản. Nếu đó là tài khoản của bạn, hãy "
        "đăng nhập; nếu quên mật khẩu, hãy liên hệ bộ phận một cửa."
    ),
    ContactChannel.EMAIL: _(
        "Thư điện tử này đã được dùng cho một tài khoản. Nếu đó là tài khoản của bạn, hãy "
        "đăng nhập; nếu quên mật khẩu, hãy liên hệ bộ phận một cửa."
    ),
}


def full_name_clean(value: str) -> str:
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value or "")).strip()
    if not text:
        raise _field_error("full_name", "required", _("Nhập họ và tên."))
    if len(text) > FULL_NAME_MAX:
        raise _field_error(
            "full_name",
            "too_long",
            _("Họ và tên dài tối đa %(max)s ký tự.") % {"max": FULL_NAME_MAX},
        )
    return text


def _field_error(field: str, code: str, message: object) -> ValidationError:
    text = str(message)
    return ValidationError(
        text, code=code, errors=[{"field": field, "code": code, "message": text}]
    )


def _username() -> str:
    """An account name that says nothing of the person (the contact may change later)."""
    while True:
        candidate = "cd." + secrets.token_hex(5)
        if not User.objects.filter(username=candidate).exists():
            return candidate


def citizen_sign_up(
    *,
    full_name: str,
    contact: str,
    password: str,
    consent: bool,
    consent_text_version: str,
    client_address: str,
    now: dt.datetime,
) -> User:
    """Create a citizen account and record its consent, in one transaction.

    Refused, with nothing created: over the address's limit (`SignUpLimited`, 429), consent
    not given (`consent_required`), any invalid field (`ValidationError` whose `errors` lists
    every field's problem at once: `full_name`, `contact`, `password`, `consent`), a contact
    another account has (`contact_taken`: the message says only that it is in use)."""
    if rate_limit_hit(name=RATE_SCOPE, key=client_address):
        raise SignUpLimited(rate_limit_retry_after(name=RATE_SCOPE))
    problems: list[dict[str, str]] = []
    name = parsed = None
    try:
        name = full_name_clean(full_name)
    except ValidationError as exc:
        problems.extend(exc.errors)
    try:
        parsed = contact_parse(contact)
    except ValidationError as exc:
        problems.extend(exc.errors)
    candidate = User(
        kind=User.Kind.CITIZEN,
        full_name=name or "",
        phone=parsed.value if parsed and parsed.channel == ContactChannel.PHONE else "",
        email=parsed.value if parsed and parsed.channel == ContactChannel.EMAIL else "",
    )
    if not password:
        problems.append(
            {"field": "password", "code": "required", "message": str(_("Nhập mật khẩu."))}
        )
    else:
        try:
            password_validation.validate_password(password, candidate)
        except DjangoValidationError as exc:
            problems.extend(
                {"field": "password", "code": "password_weak", "message": str(message)}
                for message in exc.messages
            )
    if not consent:
        problems.append(
            {
                "field": "consent",
                "code": "consent_required",
                "message": str(
                    _(
                        "Bạn chưa đồng ý nên chưa tạo được tài khoản. Tài khoản cần lưu họ tên và "
                        "số điện thoại hoặc thư điện tử của bạn; nếu không muốn, bạn vẫn có thể "
                        "nộp hồ sơ trực tiếp tại bộ phận một cửa."
                    )
                ),
            }
        )
    if problems:
        raise ValidationError(problems[0]["message"], code="signup_invalid", errors=problems)
    assert parsed is not None
    assert name is not None
    with transaction.atomic():
        if contact_taken(contact=parsed):
            message = str(TAKEN_MESSAGES[ContactChannel(parsed.channel)])
            raise ValidationError(
                message,
                code="contact_taken",
                errors=[{"field": "contact", "code": "contact_taken", "message": message}],
            )
        candidate.username = _username()
        candidate.set_password(password)
        candidate.save()
        consent_give(
            person=candidate,
            purpose=ConsentPurpose.ACCOUNT,
            text_version=consent_text_version,
            now=now,
        )
        contact_confirmation_request(
            person=candidate, channel=parsed.channel, value=parsed.value, now=now
        )
        audit_record(
            actor=candidate,
            action="user.sign_up",
            object_type="accounts.user",
            object_id=candidate.pk,
            now=now,
            # What kind of contact, never its value (personal data).
            after={"kind": candidate.kind, "contact": parsed.channel, "confirmed": False},
        )
    return candidate
