"""Every model declares its personal data; a field that looks personal but is undeclared fails here."""
from django.apps import apps

from oorg.core.personal_data import RETENTION_CLASSES, Category, Erasure, catalogue, undeclared_fields


def our_models():
    return [m for m in apps.get_models() if m.__module__.startswith("oorg.")]


def test_no_model_has_an_undeclared_personal_looking_field():
    problems = {m._meta.label: undeclared_fields(m) for m in our_models()}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"declare these in the model's PersonalData: {problems}"


def test_declarations_name_real_fields_and_known_classes():
    for entry in catalogue():
        names = {f.name for f in entry.model._meta.concrete_fields}
        assert set(entry.fields) <= names, f"{entry.model.__name__} declares fields it does not have"
        assert all(isinstance(c, Category) for c in entry.fields.values())
        assert isinstance(entry.on_erasure, Erasure)
        assert entry.retention in RETENTION_CLASSES


def test_the_detector_catches_an_undeclared_field():
    from django.db import models

    class Probe(models.Model):
        home_address = models.TextField()
        phone_number = models.CharField(max_length=20)
        notes_count = models.IntegerField()

        class Meta:
            app_label = "core"
            managed = False

    assert undeclared_fields(Probe) == ["home_address", "phone_number"]


def test_users_email_and_name_are_catalogued():
    users = next(e for e in catalogue() if e.model._meta.label == "accounts.User")
    assert users.fields["email"] == Category.CONTACT and users.fields["full_name"] == Category.IDENTITY


def test_employee_personal_fields_are_catalogued_as_sensitive():
    from oorg.org.models import Employee
    from oorg.org.selectors import PERSONAL_FIELDS

    for name in PERSONAL_FIELDS:
        assert Employee.PersonalData.fields[name] == Category.SENSITIVE, name
