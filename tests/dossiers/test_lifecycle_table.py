"""docs/lifecycle.md holds the transition table generated from the lifecycle data."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils.translation import override

from motcua.dossiers.lifecycle import TRANSITIONS, lifecycle_doc_block, lifecycle_markdown
from motcua.dossiers.models import DossierStatus

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"


def test_the_doc_holds_the_generated_table() -> None:
    assert lifecycle_doc_block(DOC.read_text(encoding="utf-8")) == lifecycle_markdown(), (
        "docs/lifecycle.md is out of date: run "
        "`python manage.py lifecycle_table --write docs/lifecycle.md`"
    )


def test_the_table_has_a_row_per_action() -> None:
    table = lifecycle_markdown()
    for action, transition in TRANSITIONS.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{action}`"))
        sources = ", ".join(str(s) for s in sorted(transition.sources))
        assert f"| {sources} -> " in row


def test_the_command_prints_and_writes(tmp_path: Path) -> None:
    out = StringIO()
    call_command("lifecycle_table", stdout=out)
    assert out.getvalue() == lifecycle_markdown()
    doc = tmp_path / "doc.md"
    doc.write_text("# x\n<!-- lifecycle-table:start -->\nold\n<!-- lifecycle-table:end -->\nend\n")
    call_command("lifecycle_table", "--write", str(doc), stdout=StringIO())
    text = doc.read_text()
    assert lifecycle_doc_block(text) == lifecycle_markdown()
    assert text.startswith("# x\n")
    assert text.endswith("\nend\n")


def test_an_action_named_as_its_status_reads_as_an_action_in_english() -> None:
    """Vietnamese names some actions and the status they lead to alike ("Rút hồ sơ theo yêu
    cầu"); in English a button says what to do ("Withdraw the dossier"), not the state
    ("Withdrawn")."""
    with override("vi"):
        statuses = {str(label): value for value, label in DossierStatus.choices}
        shared = [name for name, t in TRANSITIONS.items() if str(t.label) in statuses]
    assert {"withdraw", "stop", "request_payment"} <= set(shared)
    with override("en"):
        english_statuses = {str(label) for _, label in DossierStatus.choices}
        for name in shared:
            assert str(TRANSITIONS[name].label) not in english_statuses, name
        assert str(TRANSITIONS["withdraw"].label) == "Withdraw the dossier"
