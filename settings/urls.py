from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from collections_app.views.promises import home
from settings.views import LoginView

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language of the interface, chosen in the footer of every page (the
    # sign-in page too); the browser's language otherwise.
    path("language/", login_not_required(set_language), name="set_language"),
    path("customers/", include("customers.urls")),
    path("", include("collections_app.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "settings.errors.permission_denied"
handler400 = "settings.errors.bad_request"
handler404 = "settings.errors.page_not_found"
handler500 = "settings.errors.server_error"
