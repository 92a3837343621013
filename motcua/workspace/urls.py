from django.urls import include, path

from . import certified_copies, counter, counter_log, fees, procedures, staff, views

app_name = "workspace"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("inbox/", views.inbox, name="inbox"),
    path("dossiers/<str:code>/", views.dossier_page, name="dossier"),
    path("counter/", counter.counter_start, name="counter"),
    path("counter/dossier/", counter.counter_dossier, name="counter_dossier"),
    path("counter/done/<str:code>/", counter.counter_done, name="counter_done"),
    path("dossiers/<str:code>/forms/<str:number>.pdf", views.form_download, name="form"),
    # The work queue's bulk action: form 01 or 06 of the ticked dossiers as one PDF.
    path("forms/bulk.pdf", views.forms_bulk, name="forms_bulk"),
    path("dossiers/<str:code>/files/<int:file_id>/", views.dossier_file, name="file"),
    path("dossiers/<str:code>/fees/", fees.dossier_fees, name="dossier_fees"),
    path(
        "dossiers/<str:code>/fees/receipts/<int:pk>/cancel/",
        fees.dossier_receipt_cancel_view,
        name="dossier_receipt_cancel",
    ),
    path("dossiers/<str:code>/actions/<str:action>/", views.dossier_act_view, name="act"),
    path("privacy/", include("motcua.workspace.privacy")),  # docs/personal-data.md
    path("feedback/", include("motcua.workspace.feedback")),  # docs/feedback.md
    # docs/payments.md, "Reconciliation"
    path("payments/reconciliation/", include("motcua.workspace.reconciliation")),
]

# Around the counter (docs/counter.md) and procedure administration (docs/architecture.md,
# "Web pages").
urlpatterns += [
    path("counter/advice/", counter_log.advice, name="counter_advice"),
    path("counter/advice/<int:pk>/", counter_log.advice_turn, name="counter_advice_turn"),
    path(
        "counter/advice/<int:pk>/<str:action>/",
        counter_log.advice_turn_act,
        name="counter_advice_act",
    ),
    path("counter/home/", counter_log.home_list, name="counter_home"),
    path("counter/home/new/", counter_log.home_new, name="counter_home_new"),
    path("counter/home/<int:pk>/", counter_log.home_item, name="counter_home_item"),
    path("counter/home/<int:pk>/<str:action>/", counter_log.home_act, name="counter_home_act"),
    path("counter/hotline/", counter_log.hotline, name="counter_hotline"),
    path(
        "counter/hotline/<int:pk>/called-back/",
        counter_log.hotline_called_back,
        name="counter_hotline_called_back",
    ),
    path("certified-copies/", certified_copies.book, name="certified_copies"),
    path("certified-copies/new/", certified_copies.certify, name="certified_copy_new"),
    path("certified-copies/export/", certified_copies.export, name="certified_copies_export"),
    path("certified-copies/<int:pk>/", certified_copies.entry_page, name="certified_copy"),
    path(
        "certified-copies/<int:pk>/file/",
        certified_copies.entry_file,
        name="certified_copy_file",
    ),
    path(
        "staff/second-factor/",
        staff.second_factor_reset_page,
        name="staff_second_factor",
    ),
    path("procedures/", procedures.procedure_list, name="procedures"),
    path(
        "procedures/<str:code>/v<int:number>/",
        procedures.version_page,
        name="procedure_version",
    ),
    path(
        "procedures/<str:code>/v<int:number>/check/",
        procedures.version_check,
        name="procedure_version_check",
    ),
    path(
        "procedures/<str:code>/v<int:number>/publish/",
        procedures.version_publish,
        name="procedure_version_publish",
    ),
    path(
        "procedures/<str:code>/v<int:number>/new-draft/",
        procedures.version_new_draft,
        name="procedure_version_new_draft",
    ),
]
