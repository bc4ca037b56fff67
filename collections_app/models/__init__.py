"""The models of the collection work, one module per sub-domain; every name is
importable from ``collections_app.models`` as before the split."""

from collections_app.models.actions import Action, ActionEvent, ActionEventKind, ActionQuerySet
from collections_app.models.balances import ItemBalance
from collections_app.models.history import ChangeCause, StatusChange
from collections_app.models.imports import ImportChange, ImportChangeKind, ImportRun
from collections_app.models.items import (
    CREDIT_DOCUMENT_TYPES,
    DocumentType,
    OpenItem,
    OpenItemQuerySet,
)
from collections_app.models.promises import (
    EVALUATED_STATES,
    FINAL_STATES,
    DemoClock,
    PaymentPromise,
    PromiseItem,
    PromiseQuerySet,
    PromiseSource,
    PromiseState,
    ReleaseReason,
)
from collections_app.models.statuses import (
    DEFAULT_FOLLOW_UP_DAYS,
    DEFAULT_GRACE_DAYS,
    MAX_FOLLOW_UP_DAYS,
    MAX_GRACE_DAYS,
    ActionTemplate,
    ActionType,
    ItemStatus,
    QuickPromisePreference,
    StatusKind,
)

__all__ = [
    "CREDIT_DOCUMENT_TYPES",
    "DEFAULT_FOLLOW_UP_DAYS",
    "DEFAULT_GRACE_DAYS",
    "EVALUATED_STATES",
    "FINAL_STATES",
    "MAX_FOLLOW_UP_DAYS",
    "MAX_GRACE_DAYS",
    "Action",
    "ActionEvent",
    "ActionEventKind",
    "ActionQuerySet",
    "ActionTemplate",
    "ActionType",
    "ChangeCause",
    "DemoClock",
    "DocumentType",
    "ImportChange",
    "ImportChangeKind",
    "ImportRun",
    "ItemBalance",
    "ItemStatus",
    "OpenItem",
    "OpenItemQuerySet",
    "PaymentPromise",
    "PromiseItem",
    "PromiseQuerySet",
    "PromiseSource",
    "PromiseState",
    "QuickPromisePreference",
    "ReleaseReason",
    "StatusChange",
    "StatusKind",
]
