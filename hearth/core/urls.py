from django.urls import path

from . import notification_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("safety/", views.safety, name="safety"),
    path("about/", views.about, name="about"),
    path("exit/", views.quick_exit, name="exit"),
    path("exit/end-session/", views.quick_exit_end_session, name="exit-end-session"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says (for example on a JSON download).
    path("favicon.ico", views.favicon, name="favicon"),
    path("notifications/", notification_views.notifications, name="notifications"),
]
