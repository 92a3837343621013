"""What is held about a person, as a download: JSON (machine-readable; the shape is in
docs/personal-data.md, `SCHEMA`) and PDF (WeasyPrint, the official forms' fonts and page:
`motcua.dossiers.forms.render`). The caller records the download
(`services.personal_data_export_record`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from motcua.accounts.models import User
from motcua.dossiers.forms.render import html_render, pdf_from_html

from .selectors import personal_data_of, personal_data_reads, reads_describe
from .sources import iso

SCHEMA = "motcua.personal-data/1"


def personal_data_export(*, person: User, now: dt.datetime) -> dict[str, Any]:
    """Everything, as JSON-ready data: every source's entries and every logged read."""
    held = personal_data_of(person=person, now=now)
    reads = reads_describe(list(personal_data_reads(person=person)))
    return {
        "schema": SCHEMA,
        "generated_at": iso(now),
        "person": {"id": person.pk, "username": person.username},
        "sections": {
            section.key: {
                "title": section.title,
                "summary": section.summary,
                "count": section.count,
                "basis": section.basis,
                "entries": [entry.data for entry in section.entries],
            }
            for section in held.sections
        },
        "reads": [
            {
                "at": iso(r.at),
                "reader": r.who,
                "subject": r.subject,
                "purpose": r.purpose_code,
                "purpose_text": r.purpose,
                "channel": r.channel_code,
                "channel_text": r.channel,
            }
            for r in reads
        ],
    }


def personal_data_json(*, person: User, now: dt.datetime) -> bytes:
    data = personal_data_export(person=person, now=now)
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def personal_data_pdf(*, person: User, now: dt.datetime) -> bytes:
    """The same content as a PDF, in Vietnamese (A4, the forms' serif font)."""
    held = personal_data_of(person=person, now=now)
    reads = reads_describe(list(personal_data_reads(person=person)))
    html = html_render(
        template="privacy/export_pdf.html",
        context={"held": held, "reads": reads, "person": person, "now": now},
    )
    return pdf_from_html(html)
