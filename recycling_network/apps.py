from django.apps import AppConfig


class RecyclingNetworkConfig(AppConfig):
    name = "recycling_network"
    verbose_name = "Recycling Network"

    def ready(self) -> None:
        from recycling_network.rest import schema  # noqa: F401 - registers the OpenAPI extensions
