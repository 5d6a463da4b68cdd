"""Django's admin app, with the platform's admin site as the default ``admin.site``."""

from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    # A dotted path: the site class is imported when the admin app is ready, not while
    # settings are read.
    default_site = "recycling_network.web.admin_site.PlatformAdminSite"
