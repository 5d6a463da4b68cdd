from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_reference_data(sender, using, **kwargs) -> None:
    """Reload regions and divisions when a flush emptied them (test databases, ``flush``)."""
    from outlets.models import Division, Region
    from outlets.reference_data import load_reference_data

    if not Division.objects.using(using).exists():
        load_reference_data(Region, Division, using)


class OutletsConfig(AppConfig):
    name = "outlets"
    verbose_name = _("Outlets")

    def ready(self) -> None:
        post_migrate.connect(ensure_reference_data, sender=self)
