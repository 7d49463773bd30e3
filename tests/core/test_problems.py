"""Every problem at once: core.errors.Problems (services) and core.forms (pages), without any area."""
import pytest
from django import forms

from oorg.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Problems,
    ValidationFailed,
    describe_choices,
    refuse_all,
)
from oorg.core.forms import CountryField, ServiceForm, TimeZoneField, add_service_error, service_errors
from oorg.core.places import countries, country_name, time_zone_names


def _service(values: dict):
    """A service in the house style: every bad value is found, then refused together."""
    with Problems() as problems:
        for name, value in values.items():
            with problems.check():
                if value == "taken":
                    raise Conflict(f"{name} is taken.", field=name)
                if value == "bad":
                    raise ValidationFailed(f"{name} is bad.", field=name)
        if not problems.about("start", "end"):
            with problems.check():
                if values.get("end", 0) < values.get("start", 0):
                    raise ValidationFailed("end is before start.", field="end")
    return "saved"


def test_several_problems_are_refused_together_in_one_422():
    with pytest.raises(ValidationFailed) as refused:
        _service({"email": "bad", "code": "taken", "start": 5, "end": 1})

    error = refused.value
    assert error.status == 422 and error.field == "email"
    assert [(p.field, p.code) for p in error.problems] == [
        ("email", "validation_failed"), ("code", "conflict"), ("end", "validation_failed")]
    assert error.as_json() == {
        "detail": "email is bad. code is taken. end is before start.", "code": "validation_failed", "field": "email",
        "errors": [{"field": "email", "message": "email is bad.", "code": "validation_failed"},
                   {"field": "code", "message": "code is taken.", "code": "conflict"},
                   {"field": "end", "message": "end is before start.", "code": "validation_failed"}]}


def test_one_problem_is_raised_as_itself_so_a_lone_conflict_stays_a_409():
    with pytest.raises(Conflict) as refused:
        _service({"code": "taken"})

    assert refused.value.status == 409 and refused.value.problems == [refused.value]


def test_a_rule_that_needs_a_field_with_a_problem_is_skipped():
    with pytest.raises(ValidationFailed) as refused:
        _service({"start": "bad", "end": 1})

    assert [p.field for p in refused.value.problems] == ["start"]  # no "end is before start" about a bad start


def test_unchecked_fields_count_as_having_a_problem():
    problems = Problems(unchecked={"start"})

    assert problems.about("start") and not problems.about("end") and not problems


def test_a_permission_refusal_is_not_collected_it_ends_the_request():
    def service():
        with Problems() as problems:
            with problems.check():
                raise ValidationFailed("bad", field="a")
            with problems.check():
                raise PermissionDenied(field="b")

    with pytest.raises(PermissionDenied):
        service()


def test_nothing_found_saves_and_refuse_all_of_nothing_is_silent():
    assert _service({"email": "ok", "start": 1, "end": 2}) == "saved"
    refuse_all([])


def test_a_single_field_422_lists_its_problem_like_a_schema_error_does():
    assert ValidationFailed("Bad.", field="x").as_json()["errors"] == [
        {"field": "x", "message": "Bad.", "code": "validation_failed"}]
    assert "errors" not in NotFound().as_json()


def test_choices_are_described_by_label_and_code():
    assert describe_choices([("full_time", "Full-time"), ("intern", "Intern")]) == (
        "Full-time (full_time), Intern (intern)")


# --- pages ------------------------------------------------------------------------------------------------------


class ThingForm(ServiceForm):
    name = forms.CharField(max_length=5)
    start = forms.IntegerField()
    end = forms.IntegerField()

    def check_rules(self, data, *, unchecked):
        self.checked = (data, set(unchecked))
        problems = Problems(unchecked=unchecked)
        if data.get("name") == "taken":
            problems.add(Conflict("That name is taken.", field="name"))
        if not problems.about("start", "end") and data["end"] < data["start"]:
            problems.add("The end is before the start.", field="end")
        problems.add("The start is odd.", field="start")  # about a field that failed: not shown
        problems.add("Something about the whole thing.", field="not_on_this_form")
        return list(problems)


def test_a_form_with_a_shape_error_still_shows_the_rule_errors_of_the_other_fields():
    form = ThingForm({"name": "taken", "start": "soon", "end": "3"})

    assert not form.is_valid()
    assert form.errors == {
        "start": ["Enter a whole number."],  # shape; its rule message is left out
        "name": ["That name is taken."],  # rule, checked on the fields that passed
        "__all__": ["Something about the whole thing."],  # a field the form does not have
    }
    assert form.checked == ({"name": "taken", "end": 3}, {"start"})
    assert form.error_status == 422


def test_a_valid_form_leaves_the_rules_to_the_service_call():
    form = ThingForm({"name": "ok", "start": "1", "end": "3"})

    assert form.is_valid() and not hasattr(form, "checked")


def test_each_problem_of_a_service_refusal_lands_on_its_field():
    form = ThingForm({"name": "abc", "start": "1", "end": "3"})
    assert form.is_valid()

    with service_errors(form):
        refuse_all([ValidationFailed("Too short.", field="name"), ValidationFailed("Before.", field="end"),
                    Conflict("Elsewhere.", field="other")])

    assert form.errors == {"name": ["Too short."], "end": ["Before."], "__all__": ["Elsewhere."]}


def test_the_same_message_twice_is_shown_once():
    form = ThingForm({"name": "abc", "start": "1", "end": "3"})
    form.is_valid()

    add_service_error(form, ValidationFailed(problems=[ValidationFailed("Bad.", field="name")] * 2))

    assert form.errors["name"] == ["Bad."]


# --- pickers ----------------------------------------------------------------------------------------------------


class PlaceForm(forms.Form):
    country = CountryField(required=False)
    time_zone = TimeZoneField()


def test_the_time_zone_picker_is_grouped_by_region_and_refuses_what_it_does_not_offer():
    html = str(PlaceForm()["time_zone"])
    assert '<optgroup label="Europe">' in html and '<option value="Europe/Berlin">Berlin</option>' in html
    assert '<option value="America/Argentina/Buenos_Aires">Argentina / Buenos Aires</option>' in html
    assert 'value="US/Eastern"' not in html and 'value="Etc/GMT+5"' not in html  # aliases are not offered

    for zone in ("Mars/Olympus", "US/Eastern", ""):
        form = PlaceForm({"time_zone": zone})
        assert not form.is_valid() and "time_zone" in form.errors, zone
    assert PlaceForm({"time_zone": "Asia/Tokyo"}).is_valid()
    assert "Asia/Kolkata" in time_zone_names() and "UTC" in time_zone_names()


def test_the_country_picker_lists_names_and_sends_codes():
    html = str(PlaceForm()["country"])
    assert '<option value="DE">Germany</option>' in html and '<option value="BO">Bolivia</option>' in html
    assert html.index(">Åland Islands<") < html.index(">Albania<")  # in the order people read the names

    assert PlaceForm({"country": "de", "time_zone": "UTC"}).is_valid()
    assert not PlaceForm({"country": "ZZ", "time_zone": "UTC"}).is_valid()
    assert country_name("pt") == "Portugal" and country_name("") == "" and len(countries()) >= 249


def test_a_stored_value_the_picker_no_longer_offers_stays_selectable_on_its_form():
    form = PlaceForm({"time_zone": "US/Eastern"}, initial={"time_zone": "US/Eastern"})

    assert form.is_valid()  # saving the other fields does not trip over it
    assert '<option value="US/Eastern" selected>' in str(form["time_zone"])
