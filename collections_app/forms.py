from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collections_app.models import ActionTemplate, ItemStatus, QuickPromisePreference
from collections_app.selectors import StatementFilters


class ItemStatusForm(forms.ModelForm):
    class Meta:
        model = ItemStatus
        fields = ["label", "kind", "action_template", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_template"].empty_label = _("No follow-up")
        self.fields["label"].widget.attrs["autofocus"] = True


class ActionTemplateForm(forms.ModelForm):
    class Meta:
        model = ActionTemplate
        fields = ["name", "action_type", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True


DELAY_CHOICES = [(days, f"D+{days}") for days in range(QuickPromisePreference.MAX_DELAY_DAYS + 1)]


class QuickPromisePreferenceForm(forms.Form):
    """The two drop-downs of Admin › Manage item status › Preferences."""

    status = forms.ModelChoiceField(
        label=_("Quick payment promise status"),
        queryset=ItemStatus.objects.filter(is_active=True),
        empty_label=_("Choose a status"),
        error_messages={
            "required": _("Choose the status that Quick Promise gives to the items."),
            "invalid_choice": _(
                "That status does not exist or is inactive: choose an active status."
            ),
        },
    )
    delay_days = forms.TypedChoiceField(
        label=_("Promised payment date"),
        choices=[("", _("Choose a date")), *DELAY_CHOICES],
        coerce=int,
        empty_value=None,
        help_text=_("Today plus this many calendar days, at most D+5."),
        error_messages={
            "required": _("Choose the promised payment date, from D+0 to D+5."),
            "invalid_choice": _("“%(value)s” is not a promised payment date: choose D+0 to D+5."),
        },
    )


class StatementFilterForm(forms.Form):
    """The filters of the account statement, read from the query string.

    An invalid value is reported and left out; the other filters still apply.
    """

    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    due_from = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = forms.DateField(
        label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Item number"),
        required=False,
        max_length=50,
        strip=True,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )

    NO_STATUS = "none"

    def __init__(self, data, *, statuses):
        super().__init__(data, label_suffix="")
        self.fields["status"].choices = [
            ("", _("Any status")),
            (self.NO_STATUS, _("No status")),
            *[(str(status.pk), status.label) for status in statuses],
        ]

    def filters(self) -> StatementFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        status = data.get("status") or ""
        return StatementFilters(
            overdue=bool(data.get("overdue")),
            without_status=status == self.NO_STATUS,
            status=int(status) if status.isdigit() else None,
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            text=data.get("q") or "",
        )
