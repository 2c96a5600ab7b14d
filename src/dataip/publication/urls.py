"""Pages of the publication app, included by the site at its root (see dataip/site/urls.py).

The certificate's QR code points at ``/verify/certificate/<certificate number>/``.
"""

from django.urls import path

from dataip.publication import feeds, views

app_name = "publication"

urlpatterns = [
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/<str:number>/", views.publicity_detail, name="publicity-detail"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/feed/", feeds.AnnouncementFeed(), name="announcements-feed"),
    path("register/", views.register, name="register"),
    path("register/statistics/", views.statistics, name="statistics"),
    path("register/registrations.csv", views.register_csv, name="register-csv"),
    path("register/registrations.json", views.register_json, name="register-json"),
    path("register/<str:number>/", views.register_detail, name="register-detail"),
    path("verify/", views.verify, name="verify"),
    path("verify/certificate/<str:number>/", views.certificate, name="certificate"),
]
