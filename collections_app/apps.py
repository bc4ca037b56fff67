from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CollectionsConfig(AppConfig):
    name = "collections_app"
    label = "collections_app"
    verbose_name = _("Collections")

    def ready(self) -> None:
        from collections_app.lookups import AnyOf
        from collections_app.models import Action, OpenItem, PaymentPromise
        from collections_app.roles import sync_roles

        # ``OpenItem.objects.filter(pk__any_of=ids)``: large id lists in one parameter.
        OpenItem._meta.pk.register_lookup(AnyOf)
        Action._meta.pk.register_lookup(AnyOf)
        PaymentPromise._meta.pk.register_lookup(AnyOf)

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="collections_app.sync_roles")

        from settings.translations import load_translations

        # Every text shown in English, untranslated, no longer walks six empty
        # catalogues first (settings/translations.py).
        load_translations()
