"""`/my/`: the applicant's own pages (motcua.portal.mine; docs/my-dossiers.md). A dossier
code in the address has its shape (`{unit}-{YYMMDD}-{NNNN}`, or the national services'
`...-YYMMDD-AAXXXX`), so that other pages under `/my/` (`documents/`, `reports/`, the personal
data pages) never read as a code."""

from django.urls import path, register_converter

from . import inbox, mine


class DossierCode:
    regex = r"[0-9A-Za-z.]+-[0-9]{6}-[0-9A-Za-z]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DossierCode, "dossier_code")

urlpatterns = [
    path("", mine.my_dossiers, name="my_dossiers"),
    path("documents/", mine.my_documents, name="my_documents"),
    path("documents/<int:item_id>/", mine.my_document_download, name="my_document"),
    path("reports/", mine.my_reports, name="my_reports"),
    # In-app notifications and the channels chosen (docs/notifications.md).
    path("notifications/", inbox.my_notifications, name="my_notifications"),
    path("notifications/read/", inbox.my_notifications_read, name="my_notifications_read"),
    path(
        "notifications/preferences/",
        inbox.my_notification_preferences,
        name="my_notification_preferences",
    ),
    path("notifications/<int:notification_id>/", inbox.my_notification, name="my_notification"),
    path("<dossier_code:code>/", mine.my_dossier, name="my_dossier"),
    path("<dossier_code:code>/act/<str:action>/", mine.my_dossier_act, name="my_dossier_act"),
    path("<dossier_code:code>/files/<int:file_id>/", mine.my_dossier_file, name="my_dossier_file"),
    path("<dossier_code:code>/pay/", mine.my_dossier_pay, name="my_dossier_pay"),
    path(
        "<dossier_code:code>/payment/return/",
        mine.my_dossier_payment_return,
        name="my_dossier_payment_return",
    ),
    path(
        "<dossier_code:code>/receipts/<int:receipt_id>.pdf",
        mine.my_dossier_receipt,
        name="my_dossier_receipt",
    ),
    path(
        "<dossier_code:code>/forms/<str:number>.pdf", mine.my_dossier_form, name="my_dossier_form"
    ),
    path("<dossier_code:code>/rating/", mine.my_dossier_rate, name="my_dossier_rate"),
    path(
        "<dossier_code:code>/certified-copy-report/",
        mine.my_dossier_report,
        name="my_dossier_report",
    ),
]
