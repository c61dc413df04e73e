from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The open-data API: outside the language prefix (every text is in both languages).
    path("api/v1/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("plan.urls")),
    path("events/", include("events.urls")),
    path("documents/", include("documents.urls")),
    path("about/", include("about.urls")),
    path("members/", include("members.urls")),
    path("programmes/ebs/", include("ebs.urls")),
    path("programmes/ebm/", include("ebm.urls")),
    path("open-data/", include("api.urls_pages")),
    prefix_default_language=True,
)

# Bad requests get the site's page in the request's language (malardal/views.py).
handler400 = "malardal.views.bad_request"

# A database that does not answer gives 503 with templates/503.html, anything else 500.
handler500 = "malardal.views.server_error"
