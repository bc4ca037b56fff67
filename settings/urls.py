from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from collections_app.views.promises import home
from settings.views import LoginView

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", include("customers.urls")),
    path("", include("collections_app.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "settings.errors.permission_denied"
handler400 = "settings.errors.bad_request"
handler404 = "settings.errors.page_not_found"
handler500 = "settings.errors.server_error"
