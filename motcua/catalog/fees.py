"""Fee rules: what a dossier owes under its procedure version (domain.md section 5).

`fees_assess` is pure: from the version's `Fee` rules, the applicant kind, the number of
copies and pages, the channel and the exemptions claimed, it answers the lines to charge,
each with its gross amount, its exemption with the reason and its net amount (integers of
VND). The dossier services write them with `motcua.payments.services.fee_line_add`.

- **Counting**: `fixed` (quantity 1), `per_copy` (quantity = copies), `per_page` (quantity =
  pages). With `tier_from` and `tier_amount_vnd` the units from number `tier_from` on are
  charged the second rate (copy certification: 2,000 đ a page, from page 3 1,000 đ): two
  lines. With `cap_vnd` the rule never charges more than the cap: one line at the cap.
- **Applicant kind**: a rule for `citizen` or `organisation` only applies to that kind; two
  rules give two amounts.
- **Exemptions** (`Fee.exemptions`): a percent (rounded half up to a whole đồng) or a fixed
  amount, with its legal basis; of the ones that apply the largest wins (they do not add
  up); the reason recorded on the line names the category and the basis. `online` applies by
  itself to a dossier submitted online.
- A rule with no amount (`amount_vnd` empty: it varies with the case) is answered with
  `amount_known=False` and is not charged: the officer gives the amount when asking for
  payment. A rule marked `exempt` or with amount 0 charges nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationError
from motcua.payments.words import vnd_figures

from .models import Fee, FeeApplicantKind, FeeCounting, FeeExemptionCategory

#: Categories the applicant or the officer may claim (online is never claimed: it follows
#: from the channel).
CLAIMABLE = tuple(c for c in FeeExemptionCategory.values if c != FeeExemptionCategory.ONLINE)


@dataclass(frozen=True)
class AssessedLine:
    fee_id: int | None
    name: str
    kind: str
    timing: str
    quantity: int
    unit_amount_vnd: int
    gross_vnd: int
    exempt_vnd: int
    exemption_reason: str
    net_vnd: int
    amount_known: bool = True

    @property
    def chargeable(self) -> bool:
        """A line `fee_line_add` can write (a known, positive amount)."""
        return self.amount_known and self.unit_amount_vnd > 0


def _count(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            _("Số bản, số trang phải là số nguyên dương."),
            code="invalid_quantity",
            errors=[{"field": field, "code": "invalid"}],
        )
    return value


def claims_clean(claims: Iterable[str]) -> frozenset[str]:
    """The exemption categories claimed; an unknown one is refused (`unknown_exemption`)."""
    out = set()
    for claim in claims:
        if claim not in CLAIMABLE:
            raise ValidationError(
                _("Không có đối tượng miễn, giảm “%(category)s”."),
                code="unknown_exemption",
                category=str(claim),
                errors=[{"field": "exemption_claims", "code": "unknown", "value": str(claim)}],
            )
        out.add(claim)
    return frozenset(out)


def fee_exemptions_clean(items: object) -> list[dict[str, Any]]:
    """A fee's configured exemptions checked: a known category, a percent (1-100) or a
    positive fixed amount (one of the two), a basis. Refused: `invalid_exemption`."""

    def bad(index: int, field: str) -> ValidationError:
        return ValidationError(
            _("Miễn, giảm thứ %(index)s không hợp lệ (%(field)s)."),
            code="invalid_exemption",
            index=index,
            field=field,
            errors=[{"field": f"exemptions.{index}.{field}", "code": "invalid"}],
        )

    if items in (None, ""):
        return []
    if not isinstance(items, list):
        raise bad(1, "exemptions")
    out = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise bad(index, "exemptions")
        category = item.get("category")
        if category not in FeeExemptionCategory.values:
            raise bad(index, "category")
        percent, amount = item.get("percent"), item.get("amount_vnd")
        if (percent is None) == (amount is None):
            raise bad(index, "percent")
        if percent is not None and (
            isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100
        ):
            raise bad(index, "percent")
        if amount is not None and (
            isinstance(amount, bool) or not isinstance(amount, int) or amount < 1
        ):
            raise bad(index, "amount_vnd")
        clean: dict[str, Any] = {
            "category": category,
            "basis": str(item.get("basis") or "").strip()[:300],
            "label": str(item.get("label") or "").strip()[:100],
        }
        if percent is not None:
            clean["percent"] = percent
        else:
            clean["amount_vnd"] = amount
        out.append(clean)
    return out


def _vi(message: Any) -> str:
    """Text kept as data on a fee line is in Vietnamese, the language of record."""
    with translation.override("vi"):
        return str(message)


def _percent_of(amount: int, percent: int) -> int:
    """`percent` of `amount`, rounded half up to a whole đồng."""
    return (amount * percent + 50) // 100


def _reason(exemption: dict[str, Any]) -> str:
    label = exemption.get("label") or _vi(FeeExemptionCategory(exemption["category"]).label)
    share = (
        f"{exemption['percent']}%"
        if "percent" in exemption
        else vnd_figures(exemption["amount_vnd"]) + " đ"
    )
    basis = exemption.get("basis") or ""
    return f"{label} ({share}){': ' + basis if basis else ''}"[:300]


def _best_exemption(
    fee: Fee, gross: int, *, online: bool, claims: frozenset[str]
) -> tuple[int, str]:
    best, reason = 0, ""
    for exemption in fee_exemptions_clean(fee.exemptions):
        category = exemption["category"]
        if category == FeeExemptionCategory.ONLINE:
            if not online:
                continue
        elif category not in claims:
            continue
        if "percent" in exemption:
            amount = _percent_of(gross, exemption["percent"])
        else:
            amount = exemption["amount_vnd"]
        amount = min(amount, gross)
        if amount > best:
            best, reason = amount, _reason(exemption)
    return best, reason


def _gross_parts(fee: Fee, units: int) -> list[tuple[str, int, int]]:
    """(name, quantity, unit amount) per rate, before the cap."""
    assert fee.amount_vnd is not None
    if (
        fee.counting != FeeCounting.FIXED
        and fee.tier_from
        and fee.tier_amount_vnd is not None
        and units >= fee.tier_from > 1
    ):
        first = fee.tier_from - 1
        word = "trang" if fee.counting == FeeCounting.PER_PAGE else "bản"
        return [
            (f"{fee.name} ({word} 1–{first})", first, fee.amount_vnd),
            (f"{fee.name} (từ {word} {fee.tier_from})", units - first, fee.tier_amount_vnd),
        ]
    return [(fee.name, units, fee.amount_vnd)]


def fee_applies(fee: Fee, *, applicant_kind: str) -> bool:
    return fee.applicant_kind in (FeeApplicantKind.ANY, applicant_kind)


def fees_assess(
    *,
    fees: Sequence[Fee],
    applicant_kind: str = FeeApplicantKind.CITIZEN,
    copies: int = 1,
    pages: int = 1,
    online: bool = False,
    exemption_claims: Iterable[str] = (),
    timing: str | None = None,
) -> list[AssessedLine]:
    """The lines `fees` charge (only those of `timing` when given; see the module).
    Refused: `invalid_quantity` (copies or pages not a positive integer),
    `unknown_exemption`, `invalid_applicant_kind`."""
    copies = _count(copies, field="copies")
    pages = _count(pages, field="pages")
    claims = claims_clean(exemption_claims)
    if applicant_kind not in (FeeApplicantKind.CITIZEN, FeeApplicantKind.ORGANISATION):
        raise ValidationError(
            _("Đối tượng nộp phí không hợp lệ."),
            code="invalid_applicant_kind",
            errors=[{"field": "applicant_kind", "code": "invalid"}],
        )
    out: list[AssessedLine] = []
    for fee in sorted(fees, key=lambda f: (f.order, f.pk or 0)):
        if timing is not None and fee.timing != timing:
            continue
        if not fee_applies(fee, applicant_kind=applicant_kind):
            continue
        common: dict[str, Any] = {"fee_id": fee.pk, "kind": fee.kind, "timing": fee.timing}
        if fee.timing == Fee.Timing.EXEMPT or fee.amount_vnd in (None, 0):
            out.append(
                AssessedLine(
                    name=fee.name,
                    quantity=1,
                    unit_amount_vnd=0,
                    gross_vnd=0,
                    exempt_vnd=0,
                    exemption_reason="",
                    net_vnd=0,
                    amount_known=fee.amount_vnd is not None or fee.timing == Fee.Timing.EXEMPT,
                    **common,
                )
            )
            continue
        units = {FeeCounting.PER_COPY: copies, FeeCounting.PER_PAGE: pages}.get(
            FeeCounting(fee.counting), 1
        )
        parts = _gross_parts(fee, units)
        total = sum(q * a for _n, q, a in parts)
        if fee.cap_vnd is not None and total > fee.cap_vnd:
            parts = [(f"{fee.name} (mức tối đa)", 1, fee.cap_vnd)]
            total = fee.cap_vnd
        exempt, reason = _best_exemption(fee, total, online=online, claims=claims)
        left = exempt
        for name, quantity, unit_amount in parts:
            gross = quantity * unit_amount
            share = min(left, gross)
            left -= share
            out.append(
                AssessedLine(
                    name=str(name)[:300],
                    quantity=quantity,
                    unit_amount_vnd=unit_amount,
                    gross_vnd=gross,
                    exempt_vnd=share,
                    exemption_reason=reason if share else "",
                    net_vnd=gross - share,
                    **common,
                )
            )
    return out


def version_fees(version: Any) -> list[Fee]:
    """The version's fee rules (prefetched ones when there)."""
    return list(version.fees.all())


__all__ = [
    "CLAIMABLE",
    "AssessedLine",
    "claims_clean",
    "fee_applies",
    "fee_exemptions_clean",
    "fees_assess",
    "version_fees",
]
