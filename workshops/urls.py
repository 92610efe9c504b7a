from django.urls import path

from . import api

urlpatterns = [
    path("csrf", api.csrf),
    path("session", api.session),
    path("session/login", api.login),
    path("session/logout", api.logout),
    path("workshops", api.workshops),
    path("workshops/<code:code>", api.workshop_detail),
    path("workshops/<code:code>/staff", api.staff),
    path("workshops/<code:code>/staff/<str:username>", api.staff_member),
    path("workshops/<code:code>/join", api.join),
    path("workshops/<code:code>/reference", api.reference),
    path("workshops/<code:code>/me/return-link", api.return_link),
    path("workshops/<code:code>/me/return-link.svg", api.return_link_qr),
    path("workshops/<code:code>/me/contact", api.my_contact),
    path("workshops/<code:code>/mail", api.mail_report),
    path("workshops/<code:code>/unsubscribe/<str:token>", api.unsubscribe),
    path("contact/confirm", api.contact_confirm),
]
