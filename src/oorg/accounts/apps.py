from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "oorg.accounts"
    label = "accounts"
