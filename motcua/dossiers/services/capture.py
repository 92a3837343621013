"""Component files into the owner's data store (see `services.datastore`): at reception,
and at once for a file added after it. Private to `motcua.dossiers.services`."""

from __future__ import annotations

import datetime as dt

from motcua.catalog.models import Component
from motcua.core.errors import ValidationError
from motcua.documents.kinds import component_kind
from motcua.documents.models import DataStoreItem, DataStoreOrigin, IssuedDocument
from motcua.documents.services import datastore_item_add, owner_key_clean

from ..models import Dossier, DossierFile, DossierFileKind


def dossier_owner_key(dossier: Dossier) -> str | None:
    """Whose papers the dossier's components are: the principal's number when filed for
    someone else, else the applicant's; None when there is no valid number."""
    principal = (dossier.representative or {}).get("principal_id_number") or ""
    key = principal or dossier.applicant_id_number or ""
    if not key:
        return None
    try:
        return owner_key_clean(key)
    except ValidationError:
        return None


def kind_of(*, dossier: Dossier, component: Component) -> str:
    return component_kind(
        document_kind=component.document_kind,
        procedure_code=dossier.procedure_version.procedure.code,
        component_code=component.code,
    )


def dossier_components_to_datastore(
    *, dossier: Dossier, now: dt.datetime, files: list[DossierFile] | None = None
) -> list[DataStoreItem]:
    """Keep the component files of `dossier` (or only `files`) in its owner's data store
    (idempotent per file). Runs inside the caller's transaction; nothing when the dossier
    has no owner number."""
    owner = dossier_owner_key(dossier)
    if owner is None:
        return []
    links = (
        files
        if files is not None
        else list(
            DossierFile.objects.filter(
                dossier=dossier, kind=DossierFileKind.COMPONENT
            ).select_related("file")
        )
    )
    links = [link for link in links if link.kind == DossierFileKind.COMPONENT]
    if not links:
        return []
    components = {
        c.code: c
        for c in Component.objects.filter(
            version_id=dossier.procedure_version_id,
            code__in={link.component_code for link in links},
        )
    }
    items = []
    for link in links:
        component = components.get(link.component_code)
        if component is None:
            continue
        items.append(
            datastore_item_add(
                owner_key=owner,
                kind=kind_of(dossier=dossier, component=component),
                title=component.name,
                file=link.file,
                now=now,
                source_dossier_code=dossier.code,
                origin=DataStoreOrigin.COMPONENT,
            )
        )
    return items


def result_to_data_store(*, dossier: Dossier, document: IssuedDocument, now: dt.datetime) -> None:
    """A granted result goes into its owner's data store (domain.md section 6: "one procedure,
    two results" — the electronic one is kept to be reused), under the kind
    `<procedure>/result`, issued by the handling unit. A refusal to settle is not kept there.
    Nothing is kept without a valid owner number. Runs in the caller's transaction."""
    owner = dossier_owner_key(dossier)
    if owner is None:
        return
    version = dossier.procedure_version
    procedure = version.procedure
    datastore_item_add(
        owner_key=owner,
        kind=f"{procedure.code}/result",
        title=version.result_name or procedure.name,
        file=document.file,
        now=now,
        issuer=dossier.handling_unit.name,
        source_dossier_code=dossier.code,
        origin=DataStoreOrigin.RESULT,
    )
