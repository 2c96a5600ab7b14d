"""Pages of accounts, included by the site at ``/accounts/``."""

from django.urls import path

from dataip.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("signup/", views.sign_up, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("oidc/login/", views.oidc_login, name="oidc-login"),
    path("oidc/callback/", views.oidc_callback, name="oidc-callback"),
]
