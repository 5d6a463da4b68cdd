"""The form component and the bridge from a form to a service."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from partners.models import OutboxEmail
from partners.services.outbox import outbox_enqueue
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.tenancy import SYSTEM, run_as
from recycling_network.web.forms import call_service


class OutletNoteForm(forms.Form):
    code = forms.CharField(label="Outlet code", help_text="RN-adcode-number")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    urgent = forms.BooleanField(label="Urgent", required=False)


def _queued(subject: str) -> bool:
    with run_as(SYSTEM):
        return OutboxEmail.objects.filter(subject=subject).exists()


def test_the_form_component_summarises_errors_and_links_each_to_its_field(db):
    form = OutletNoteForm(data={"code": ""})
    form.is_valid()
    form.add_error(None, "The outlet is closed.")
    with translation.override("en"):
        html = render_to_string("components/form.html", {"form": form})
    summary = html[: html.index('class="field')]
    assert "data-error-summary" in summary
    assert "The outlet is closed." in summary
    assert '<a href="#id_code">Outlet code:' in summary
    # Label, help and error belong to the field; the input points at them.
    assert '<label class="field__label" for="id_code">' in html
    assert 'id="id_code_helptext"' in html
    assert 'id="id_code_error"' in html
    assert 'aria-describedby="id_code_helptext id_code_error"' in html
    assert 'aria-invalid="true"' in html
    # An optional field says so; a valid form has no summary.
    assert "(optional)" in html
    assert "data-error-summary" not in render_to_string("components/form.html", {"form": OutletNoteForm()})


def test_a_refusing_service_puts_its_errors_on_the_form_and_rolls_back(db):
    def service(*, actor, code):
        outbox_enqueue(to=["ops@example.com"], subject="rolled back", body="", kind="test")
        raise InvalidInput("The outlet is not approved.", errors={"code": ["Not approved."], "elsewhere": ["Other."]})

    form = OutletNoteForm(data={"code": "RN-110100-0001"})
    assert form.is_valid()
    assert call_service(form, service, actor=SYSTEM, code=form.cleaned_data["code"]) is None
    assert form.errors["code"] == ["Not approved."]
    assert form.non_field_errors() == ["Other."]
    # Rolled back, and the request's transaction is still usable (this query runs in it).
    assert not _queued("rolled back")


def test_an_error_that_commits_keeps_its_writes(db):
    class Kept(Conflict):
        commits = True

    def service(*, actor):
        outbox_enqueue(to=["ops@example.com"], subject="kept", body="", kind="test")
        raise Kept("Held by another partner; a review case was opened.")

    form = OutletNoteForm(data={"code": "x"})
    form.is_valid()
    assert call_service(form, service, actor=SYSTEM) is None
    assert form.non_field_errors() == ["Held by another partner; a review case was opened."]
    assert _queued("kept")


def test_a_successful_call_returns_the_result(db):
    form = OutletNoteForm(data={"code": "x"})
    form.is_valid()
    assert call_service(form, lambda *, actor: 42, actor=SYSTEM) == 42
    assert form.errors == {}
