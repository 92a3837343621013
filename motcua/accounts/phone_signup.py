"""Creating a citizen account with a phone number and a one-time code texted to it, no
password (`/accounts/signup/phone/`, docs/accounts.md "Đăng ký bằng số điện thoại").

Three steps, one thing per page:

1. `phone_sign_up_code_request(phone=, address=, now=)`: texts a code (the sign-in codes'
   machinery, `accounts.sms_codes`: 6 digits, HMAC at rest, 5 minutes, the same limits). A
   phone that already has an account gets a *sign-in* code instead; the page, the answer and
   the text are the same either way, so the journey does not tell who has an account.
2. `phone_sign_up_code_verify(phone=, code=, address=, now=)`: checks it (5 wrong codes lock
   the phone, as for signing in). For a sign-up code the phone is now proven and the answer
   carries the code row as the proof; for a sign-in code (a registered phone) the answer is
   the account, which the page signs in (a staff account is refused, as on the sign-in
   pages: staff keep password + second factor).
3. `citizen_sign_up_by_phone(proof=, full_name=, email=, consent=, ...)`: within
   `PROOF_MINUTES` of the check, once per proof, creates the citizen account (no usable
   password) with its phone confirmed: the `ContactConfirmation` gets `confirmed_at` = the
   time the code was checked. An optional e-mail address goes through the usual
   confirmation (a code by e-mail).

Staff accounts are never created here: the account is always `kind=citizen`, not staff,
with no unit role.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError, ValidationError
from motcua.core.services import audit_record

from .contact import contact_confirmation_request
from .models import (
    ConsentPurpose,
    ContactChannel,
    ContactConfirmation,
    SignInCode,
    SignInCodePurpose,
    User,
)
from .services import consent_give
from .signup import (
    TAKEN_MESSAGES,
    Contact,
    _username,
    contact_taken,
    email_normalise,
    full_name_clean,
)
from .sms_codes import (
    phone_mask,
    sign_in_code_account,
    sign_in_code_check,
    sign_in_code_request,
)

logger = logging.getLogger("motcua.accounts.signup")

#: How long a checked sign-up code lets the person finish (name, e-mail, consent).
PROOF_MINUTES = 30
SENDER_NAME = "sms_sign_up"


@dataclass(frozen=True)
class PhoneCheck:
    """What a checked code proved: a phone with no account (`proof` for step 3), or the
    account the phone already has (`user`, to sign in)."""

    phone: str
    proof: int | None = None
    user: User | None = None


class ProofExpired(DomainError):
    code = "proof_expired"
    status = 400


def phone_sign_up_code_request(*, phone: str, address: str, now: dt.datetime) -> SignInCode:
    """Text a code to `phone` (normalised by `sms_codes.sign_in_phone_clean`): a sign-up
    code, or a sign-in code when an account has the phone (the same text, the same answer).
    SignInCodeLimited as `sign_in_code_request`."""
    registered = User.objects.filter(phone=phone).exists()
    purpose = SignInCodePurpose.SIGN_IN if registered else SignInCodePurpose.SIGN_UP
    return sign_in_code_request(phone=phone, address=address, now=now, purpose=purpose)


def phone_sign_up_code_verify(
    *, phone: str, code: str, address: str, now: dt.datetime
) -> PhoneCheck:
    """Check the code texted by `phone_sign_up_code_request`. ValidationError
    (`code_invalid`, `staff_refused`) or SignInCodeLimited (`sign_in_code_locked`)."""
    row = sign_in_code_check(
        phone=phone,
        code=code,
        address=address,
        now=now,
        purposes=(SignInCodePurpose.SIGN_UP, SignInCodePurpose.SIGN_IN),
    )
    user = sign_in_code_account(phone=phone, address=address)
    if user is not None:
        # A registered phone (or one registered since the code was sent): the proven owner
        # signs in to their account instead of creating a second one.
        return PhoneCheck(phone=phone, user=user)
    if row.purpose != SignInCodePurpose.SIGN_UP:
        # A sign-in code for a phone whose account has gone: start again with a sign-up code.
        raise ProofExpired(_("Mã này không còn dùng để đăng ký được. Hãy yêu cầu mã mới."))
    return PhoneCheck(phone=phone, proof=row.pk)


def citizen_sign_up_by_phone(
    *,
    proof: int,
    full_name: str,
    email: str,
    consent: bool,
    consent_text_version: str,
    now: dt.datetime,
) -> User:
    """Create the citizen account of the phone proven by sign-up code `proof`, in one
    transaction: the account (no usable password), its consent, its phone confirmed, the
    optional e-mail sent for confirmation, the audit event `user.sign_up`.

    Refused, nothing created: a proof that is not a checked sign-up code, older than
    `PROOF_MINUTES` or already used (`proof_expired`); an invalid name or e-mail, an e-mail
    another account has, no consent (`ValidationError` listing every field); the phone taken
    meanwhile (`contact_taken`)."""
    problems: list[dict[str, str]] = []
    name = None
    extra: Contact | None = None
    try:
        name = full_name_clean(full_name)
    except ValidationError as exc:
        problems.extend(exc.errors)
    if (email or "").strip():
        try:
            extra = Contact(ContactChannel.EMAIL, email_normalise(email))
        except ValueError:
            message = str(_("Thư điện tử không hợp lệ, ví dụ: ten@example.vn."))
            problems.append({"field": "email", "code": "email_invalid", "message": message})
    if extra is not None and contact_taken(contact=extra):
        problems.append(
            {
                "field": "email",
                "code": "contact_taken",
                "message": str(TAKEN_MESSAGES[ContactChannel.EMAIL]),
            }
        )
    if not consent:
        problems.append(
            {
                "field": "consent",
                "code": "consent_required",
                "message": str(
                    _(
                        "Bạn chưa đồng ý nên chưa tạo được tài khoản. Tài khoản cần lưu họ tên và "
                        "số điện thoại của bạn; nếu không muốn, bạn vẫn có thể nộp hồ sơ trực "
                        "tiếp tại bộ phận một cửa."
                    )
                ),
            }
        )
    with transaction.atomic():
        row = SignInCode.objects.select_for_update().filter(pk=proof).first()
        if (
            row is None
            or row.purpose != SignInCodePurpose.SIGN_UP
            or row.used_at is None
            or row.account_id is not None
            or row.used_at + dt.timedelta(minutes=PROOF_MINUTES) <= now
        ):
            raise ProofExpired(
                _("Đã quá thời gian hoàn tất đăng ký. Hãy nhập lại số điện thoại để nhận mã mới.")
            )
        if problems:
            raise ValidationError(problems[0]["message"], code="signup_invalid", errors=problems)
        assert name is not None
        phone = Contact(ContactChannel.PHONE, row.phone)
        if contact_taken(contact=phone):
            message = str(TAKEN_MESSAGES[ContactChannel.PHONE])
            raise ValidationError(
                message,
                code="contact_taken",
                errors=[{"field": "phone", "code": "contact_taken", "message": message}],
            )
        user = User(
            kind=User.Kind.CITIZEN,
            username=_username(),
            full_name=name,
            phone=row.phone,
            email=extra.value if extra else "",
            is_staff=False,
            is_superuser=False,
        )
        user.set_unusable_password()
        user.save()
        row.account = user
        row.save(update_fields=["account"])
        consent_give(
            person=user,
            purpose=ConsentPurpose.ACCOUNT,
            text_version=consent_text_version,
            now=now,
        )
        # The code texted to this phone was checked: the one other place (with
        # `contact.contact_confirmation_verify`) that marks a contact confirmed.
        ContactConfirmation.objects.create(
            person=user,
            channel=ContactChannel.PHONE,
            value=row.phone,
            requested_at=row.created_at,
            sender=SENDER_NAME,
            confirmed_at=row.used_at,
        )
        if extra is not None:
            contact_confirmation_request(
                person=user, channel=ContactChannel.EMAIL, value=extra.value, now=now
            )
        audit_record(
            actor=user,
            action="user.sign_up",
            object_type="accounts.user",
            object_id=user.pk,
            now=now,
            after={
                "kind": user.kind,
                "contact": ContactChannel.PHONE,
                "confirmed": True,
                "method": "sms_code",
                "email": extra is not None,
            },
        )
    logger.info("sign-up by phone: phone=%s account=%s", phone_mask(row.phone), user.pk)
    return user
