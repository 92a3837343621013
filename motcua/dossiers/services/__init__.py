"""Every write to a dossier (domain.md section 3). Typed, keyword-only services that own one
transaction: lock the dossier row, compare `expected_version` (stale: Conflict), check the
actor's role in the relevant unit (PermissionDenied), check the transition
(IllegalTransition naming the current status), apply, bump `version`, append a DossierEvent
and enqueue `dossier.<action>` in the outbox. Nothing is half-written on an error.

The lifecycle, the roles and the clock rules are documented in docs/lifecycle.md.
"""

from __future__ import annotations

from ._base import APPLICANT_ROLE, EARLY_MARGIN_HOURS, SYSTEM_ROLE
from .codes import dossier_code_format, dossier_code_next
from .processing import (
    APOLOGY_NOTICE_HOURS,
    dossier_apologize,
    dossier_forward,
    dossier_issue_result,
    dossier_return_result,
    dossier_transfer,
    dossier_withdraw,
)
from .reception import (
    dossier_receive,
    dossier_receive_at_counter,
    dossier_reception_alerts,
    dossier_refuse,
    dossier_submit,
)
from .suspensions import (
    dossier_close_unsupplemented,
    dossier_confirm_payment,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_resume,
    dossier_stop,
    dossier_supplement,
)
from .timeliness import dossier_end_of_processing, dossier_timeliness

__all__ = [
    "APOLOGY_NOTICE_HOURS",
    "APPLICANT_ROLE",
    "EARLY_MARGIN_HOURS",
    "SYSTEM_ROLE",
    "dossier_apologize",
    "dossier_close_unsupplemented",
    "dossier_code_format",
    "dossier_code_next",
    "dossier_confirm_payment",
    "dossier_end_of_processing",
    "dossier_forward",
    "dossier_issue_result",
    "dossier_receive",
    "dossier_receive_at_counter",
    "dossier_reception_alerts",
    "dossier_refuse",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_resume",
    "dossier_return_result",
    "dossier_stop",
    "dossier_submit",
    "dossier_supplement",
    "dossier_timeliness",
    "dossier_transfer",
    "dossier_withdraw",
]
