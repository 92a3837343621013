"""Every write to a dossier (domain.md section 3). Typed, keyword-only services that own one
transaction. Actions on an existing dossier follow the lifecycle table
(`motcua.dossiers.lifecycle.TRANSITIONS`) through `_base.begin`: lock the dossier row,
compare `expected_version` (stale: Conflict), check the actor's role for the current status
(PermissionDenied), the status (IllegalTransition naming it) and the reason; the service then
does its own work and `Change.commit` bumps `version`, appends a DossierEvent and enqueues
`dossier.<action>` in the outbox. Nothing is half-written on an error. `dossier_act` takes an
action by name with plain values (the API and the workspace call it).

The lifecycle, the roles and the clock rules are documented in docs/lifecycle.md.
"""

from __future__ import annotations

from ._base import APOLOGY_NOTICE_HOURS, APPLICANT_ROLE, EARLY_MARGIN_HOURS, SYSTEM_ROLE
from .act import dossier_act, transition_get
from .codes import dossier_code_format, dossier_code_next
from .counter import (
    ComponentProvision,
    certified_copy_allowed,
    component_paper_forms,
    counter_components_missing,
    dossier_guide_at_counter_with_files,
    dossier_receive_at_counter_with_files,
    dossier_refuse_at_counter,
    national_data_allowed,
)
from .datastore import dossier_component_from_national_data, dossier_component_reuse
from .drafts import (
    draft_attach_file,
    draft_reuse_item,
    draft_save_step,
    draft_start,
    draft_submit,
    draft_use_national_data,
    fee_claims_offered,
)
from .fees import (
    dossier_fee_lines,
    dossier_fees_assess,
    dossier_fees_charge_after,
    dossier_fees_charge_before,
)
from .files import dossier_file_add, dossier_file_attach_stored
from .processing import (
    dossier_answer_consult,
    dossier_apologize,
    dossier_consult,
    dossier_forward,
    dossier_issue_result,
    dossier_return_result,
    dossier_return_step,
    dossier_transfer,
    dossier_withdraw,
)
from .ratings import dossier_rate
from .reception import (
    dossier_guide_at_counter,
    dossier_receive,
    dossier_receive_at_counter,
    dossier_reception_alerts,
    dossier_refuse,
    dossier_submit,
)
from .reports import certified_copy_report_file
from .suspensions import (
    dossier_close_unsupplemented,
    dossier_confirm_payment,
    dossier_payment_settle,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_resume,
    dossier_stop,
    dossier_supplement,
)
from .timeliness import dossier_end_of_processing, dossier_timeliness
from .use import procedure_use_refresh

__all__ = [
    "APOLOGY_NOTICE_HOURS",
    "APPLICANT_ROLE",
    "EARLY_MARGIN_HOURS",
    "SYSTEM_ROLE",
    "ComponentProvision",
    "certified_copy_allowed",
    "certified_copy_report_file",
    "component_paper_forms",
    "counter_components_missing",
    "dossier_act",
    "dossier_answer_consult",
    "dossier_apologize",
    "dossier_close_unsupplemented",
    "dossier_code_format",
    "dossier_code_next",
    "dossier_component_from_national_data",
    "dossier_component_reuse",
    "dossier_confirm_payment",
    "dossier_consult",
    "dossier_end_of_processing",
    "dossier_fee_lines",
    "dossier_fees_assess",
    "dossier_fees_charge_after",
    "dossier_fees_charge_before",
    "dossier_file_add",
    "dossier_file_attach_stored",
    "dossier_forward",
    "dossier_guide_at_counter",
    "dossier_guide_at_counter_with_files",
    "dossier_issue_result",
    "dossier_payment_settle",
    "dossier_rate",
    "dossier_receive",
    "dossier_receive_at_counter",
    "dossier_receive_at_counter_with_files",
    "dossier_reception_alerts",
    "dossier_refuse",
    "dossier_refuse_at_counter",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_resume",
    "dossier_return_result",
    "dossier_return_step",
    "dossier_stop",
    "dossier_submit",
    "dossier_supplement",
    "dossier_timeliness",
    "dossier_transfer",
    "dossier_withdraw",
    "draft_attach_file",
    "draft_reuse_item",
    "draft_save_step",
    "draft_start",
    "draft_submit",
    "draft_use_national_data",
    "fee_claims_offered",
    "national_data_allowed",
    "procedure_use_refresh",
    "transition_get",
]
