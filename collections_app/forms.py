from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models import (
    DEFAULT_FOLLOW_UP_DAYS,
    MAX_GRACE_DAYS,
    ActionTemplate,
    ActionType,
    ItemStatus,
    QuickPromisePreference,
    StatusKind,
)
from collections_app.selectors import StatementFilters
from collections_app.services.actions import ActionDraft
from collections_app.services.dates import latest_day, too_far_ahead


class ItemStatusForm(forms.ModelForm):
    class Meta:
        model = ItemStatus
        fields = ["label", "kind", "action_template", "follow_up_days", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_template"].empty_label = _("No follow-up")
        self.fields["label"].widget.attrs["autofocus"] = True
        self.fields["follow_up_days"].required = False

    def clean_follow_up_days(self) -> int:
        days = self.cleaned_data["follow_up_days"]
        return DEFAULT_FOLLOW_UP_DAYS if days is None else days


class ActionTemplateForm(forms.ModelForm):
    class Meta:
        model = ActionTemplate
        fields = ["name", "action_type", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True


def _limit_to_the_coming_years(field: forms.DateField) -> None:
    """Today to two years ahead, as the services accept: the browser's date picker
    offers no other day (and the form says why, without one)."""
    today = timezone.localdate()
    field.widget.attrs.update(min=today.isoformat(), max=latest_day(today).isoformat())


def _within_two_years(day):
    if reason := too_far_ahead(day, today=timezone.localdate()):
        raise forms.ValidationError(reason)
    return day


DELAY_CHOICES = [(days, f"D+{days}") for days in range(QuickPromisePreference.MAX_DELAY_DAYS + 1)]


class QuickPromisePreferenceForm(forms.Form):
    """The two drop-downs of Admin › Manage item status › Preferences."""

    status = forms.ModelChoiceField(
        label=_("Quick payment promise status"),
        queryset=ItemStatus.objects.filter(is_active=True, kind=StatusKind.PROMISE),
        empty_label=_("Choose a status"),
        error_messages={
            "required": _("Choose the status that Quick Promise gives to the items."),
            "invalid_choice": _(
                "That status does not exist, is inactive or is not a promise-to-pay status: "
                "choose an active status of the kind “Promise to pay”."
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


class PromiseTrackingForm(forms.Form):
    """Preferences › Promise tracking: the grace period and the broken promise status."""

    grace_days = forms.IntegerField(
        label=_("Grace period (days)"),
        min_value=0,
        max_value=MAX_GRACE_DAYS,
        help_text=_(
            "A promise is kept when its items are paid by the end of its date plus this many "
            "calendar days; after that it is evaluated."
        ),
        error_messages={"required": _("Give the grace period, from 0 to 30 days.")},
    )
    broken_status = forms.ModelChoiceField(
        label=_("Broken promise status"),
        queryset=ItemStatus.objects.filter(is_active=True),
        required=False,
        empty_label=_("None: leave the items as they are"),
        help_text=_("The status the items of a broken promise get; a callback is created anyway."),
        error_messages={
            "invalid_choice": _(
                "That status does not exist or is inactive: choose an active status."
            ),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "tracking")
        super().__init__(*args, **kwargs)


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


class _DataOptionsSelect(forms.Select):
    """A select whose options carry data attributes taken from their object, for
    the script that pre-fills the rest of the form (``option_data`` maps each
    attribute to a function of the object)."""

    def __init__(self, *args, option_data: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            for attribute, read in self.option_data.items():
                option["attrs"][f"data-{attribute}"] = read(instance)
        return option


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class _ListedChoiceIterator(ModelChoiceIterator):
    """The choices from the objects already read (``field.listed``), when the
    view has them: one page with several lists of the same people reads them
    once. Without them, from the queryset, as usual."""

    def _listed(self):
        return getattr(self.field, "listed", None)

    def __iter__(self):
        listed = self._listed()
        if listed is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in listed:
            yield self.choice(obj)

    def __len__(self) -> int:
        listed = self._listed()
        if listed is None:
            return super().__len__()
        return len(listed) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        listed = self._listed()
        return super().__bool__() if listed is None else len(self) > 0


class ListedModelChoiceField(forms.ModelChoiceField):
    """Validates against its queryset; renders ``listed`` when it is set."""

    iterator = _ListedChoiceIterator
    listed: list | None = None


class PersonChoiceField(ListedModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _person(obj)


class _DialogFormMixin:
    """A form whose fields may live in a dialog outside the form they are sent
    with: ``form_id`` names that form (the HTML ``form`` attribute) and leaves
    the checks to the server (a hidden required field would block the other
    buttons of that form)."""

    def __init__(self, *args, form_id: str | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if form_id:
            self.use_required_attribute = False
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class ActionForm(_DialogFormMixin, forms.Form):
    """A specific action: from a template (which pre-fills the rest) or blank."""

    template = ListedModelChoiceField(
        label=_("Template"),
        queryset=ActionTemplate.objects.order_by("name"),
        required=False,
        empty_label=_("No template (blank action)"),
        widget=_DataOptionsSelect(
            option_data={
                "action-type": lambda template: template.action_type,
                "title": lambda template: template.action_title,
                "text": lambda template: template.text,
            },
            attrs={"data-action-template": ""},
        ),
    )
    action_type = forms.ChoiceField(
        label=_("Type"), choices=ActionType.choices, initial=ActionType.CALL
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("The template's title when left empty."),
    )
    due_date = forms.DateField(label=_("Due date"), widget=_date_widget())
    assigned_to = PersonChoiceField(
        label=_("Assigned to"), queryset=get_user_model().objects.none(), empty_label=None
    )
    text = forms.CharField(
        label=_("Text"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # A key of its own per form shown: the same form sent twice creates one action.
    form_key = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("This form is damaged: close it and open it again.")},
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = users
        _limit_to_the_coming_years(self.fields["due_date"])
        self.fields["form_key"].initial = uuid.uuid4

    def clean(self):
        cleaned = super().clean()
        # A hidden field has no place to show its error: the form says it.
        for error in self.errors.pop("form_key", []):
            self.add_error(None, error)
        template = cleaned.get("template")
        if not cleaned.get("title"):
            if template is None:
                self.add_error("title", _("Give the action a title, or choose a template."))
            else:
                cleaned["title"] = template.action_title
        if template is not None and not cleaned.get("text"):
            cleaned["text"] = template.text
        return cleaned

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date < timezone.localdate():
            raise forms.ValidationError(_("The action must be due today or later."))
        return _within_two_years(due_date)

    def draft(self) -> ActionDraft:
        data = self.cleaned_data
        return ActionDraft(
            action_type=data["action_type"],
            title=data["title"],
            due_date=data["due_date"],
            assigned_to=data["assigned_to"],
            text=data.get("text", ""),
            template=data.get("template"),
            form_key=data.get("form_key"),
        )


class NextStep(models.TextChoices):
    FOLLOW = "follow", _("Let the account follow its course")
    ACTION = "action", _("Create a specific action")


class ChangeStatusForm(_DialogFormMixin, forms.Form):
    """Change status: the status, its date, a comment, a resolver for a dispute,
    and the next step (with an ActionForm, prefix ``next``, for an action)."""

    status = ListedModelChoiceField(
        label=_("Status"),
        queryset=ItemStatus.objects.filter(is_active=True),
        empty_label=_("Choose a status"),
        error_messages={
            "required": _("Choose the status to give to the items."),
            "invalid_choice": _(
                "That status does not exist or is inactive: choose an active status."
            ),
        },
        widget=_DataOptionsSelect(
            option_data={
                "kind": lambda status: status.kind,
                "follow-up-days": lambda status: status.follow_up_days,
                "template": lambda status: status.action_template_id or "",
            },
            attrs={"data-status-select": ""},
        ),
    )
    status_date = forms.DateField(
        label=_("Date"),
        widget=_date_widget(),
        help_text=_("The promise date for a promise; from today to two years ahead."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    resolver = PersonChoiceField(
        label=_("Resolver"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Choose who settles the dispute"),
        help_text=_("Required for a dispute: who settles it."),
    )
    next_step = forms.ChoiceField(
        label=_("Next step"),
        choices=NextStep.choices,
        initial=NextStep.FOLLOW,
        widget=forms.RadioSelect(attrs={"data-next-step": ""}),
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolver"].queryset = users
        _limit_to_the_coming_years(self.fields["status_date"])

    def clean_status_date(self):
        status_date = self.cleaned_data["status_date"]
        if status_date < timezone.localdate():
            raise forms.ValidationError(_("The date must be today or later."))
        return _within_two_years(status_date)

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status is not None and status.kind == StatusKind.DISPUTE:
            if cleaned.get("resolver") is None and "resolver" not in self.errors:
                self.add_error("resolver", _("A dispute needs a resolver: choose who settles it."))
        else:
            # Only a dispute has one (the field stays visible without JavaScript).
            cleaned["resolver"] = None
        return cleaned


class RescheduleForm(_DialogFormMixin, forms.Form):
    due_date = forms.DateField(label=_("New due date"), widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_the_coming_years(self.fields["due_date"])


class ReassignForm(_DialogFormMixin, forms.Form):
    assigned_to = PersonChoiceField(
        label=_("Assign to"), queryset=get_user_model().objects.none(), empty_label=None
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = users


class CompleteActionForm(_DialogFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What came of it, for the customer's history."),
    )
    resolution = forms.ModelChoiceField(
        label=_("Mark its items in dispute as"),
        queryset=ItemStatus.objects.none(),
        required=False,
        empty_label=_("Leave their status as it is"),
    )

    def __init__(self, *args, resolutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if resolutions is not None:
            self.fields["resolution"].queryset = resolutions
        else:
            del self.fields["resolution"]


class ResolverScope(models.TextChoices):
    ITEM = "item", _("This item only")
    STATUS = "status", _("Every item of this customer with this status")


class ResolverForm(_DialogFormMixin, forms.Form):
    resolver = PersonChoiceField(
        label=_("New resolver"), queryset=get_user_model().objects.none(), empty_label=None
    )
    scope = forms.ChoiceField(
        label=_("Change it on"),
        choices=ResolverScope.choices,
        initial=ResolverScope.ITEM,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolver"].queryset = users


class CustomerCommentForm(_DialogFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Edit the comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Any officer can edit it; every version is kept in the history."),
    )
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def clean(self):
        cleaned = super().clean()
        if "based_on" in self.errors:
            # Hidden: a damaged or hand-made form, which only a reload mends.
            raise forms.ValidationError(_("This form is out of date: reload the page."))
        return cleaned
