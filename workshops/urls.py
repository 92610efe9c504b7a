from django.urls import path

from . import api

urlpatterns = [
    path("csrf", api.csrf),
    path("session", api.session),
    path("session/login", api.login),
    path("session/logout", api.logout),
    path("workshops", api.workshops),
    path("workshops/<str:code>", api.workshop_detail),
    path("workshops/<str:code>/staff", api.staff),
    path("workshops/<str:code>/staff/<str:username>", api.staff_member),
    path("workshops/<str:code>/join", api.join),
    path("workshops/<str:code>/reference", api.reference),
    path("workshops/<str:code>/me/return-link", api.return_link),
    path("workshops/<str:code>/me/return-link.svg", api.return_link_qr),
    path("workshops/<str:code>/me/contact", api.my_contact),
    path("workshops/<str:code>/mail", api.mail_report),
    path("workshops/<str:code>/unsubscribe/<str:token>", api.unsubscribe),
    path("contact/confirm", api.contact_confirm),
]
