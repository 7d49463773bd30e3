"""Account page forms: shape only. Every rule (password strength, codes, throttles) is the service's.

Field names match the `field` that services name in their errors, so a refusal lands on the right input.
"""
from django import forms
from django.conf import settings

from oorg.core.forms import ImageUploadField, TimeZoneField


def _email(**kwargs):
    return forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **kwargs)


def _password(label="Password", *, new=False, **kwargs):
    attrs = {"autocomplete": "new-password" if new else "current-password"}
    return forms.CharField(label=label, max_length=256, strip=False, widget=forms.PasswordInput(attrs=attrs), **kwargs)


def _code(label, *, max_length=6, **kwargs):
    attrs = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "class": "code-input"}
    return forms.CharField(label=label, max_length=max_length + 2, widget=forms.TextInput(attrs=attrs), **kwargs)


class SignUpForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = _email(label="Work email")
    workspace_name = forms.CharField(label="Company or team name", max_length=120,
                                     help_text="Your workspace. You can invite colleagues next.",
                                     widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    password = _password(new=True, help_text="At least 10 characters; not a common password.")
    accept_policies = forms.BooleanField(
        required=True, error_messages={"required": "Accept the privacy policy and terms to create an account."}
    )

    def service_args(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("email", "password", "full_name", "workspace_name")}


class VerifyEmailForm(forms.Form):
    email = _email()
    code = _code("6-digit code")


class ResendCodeForm(forms.Form):
    email = _email()


class SignInForm(forms.Form):
    email = _email()
    password = _password()


class SecondFactorForm(forms.Form):
    otp = forms.CharField(
        label="Authentication code", max_length=32,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class PasswordResetForm(forms.Form):
    email = _email()


class PasswordResetConfirmForm(forms.Form):
    email = _email()
    code = _code("6-digit code")
    new_password = _password("New password", new=True, help_text="At least 10 characters; not a common password.")


class TwoFactorEnableForm(forms.Form):
    code = _code("Code from your app")


class PasswordConfirmForm(forms.Form):
    password = _password("Your password")


class NewTokenForm(forms.Form):
    workspace = forms.SlugField(widget=forms.HiddenInput)
    name = forms.CharField(label="Token name", max_length=80, help_text="For example: “Reporting script”.")


class AcceptInvitationForm(forms.Form):
    code = forms.CharField(label="Invitation code", max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    full_name = forms.CharField(label="Full name", max_length=150, required=False,
                                help_text="Only needed if you do not have an OORG account yet.",
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = _password(help_text="New to OORG? Choose one (at least 10 characters). "
                                   "Already have an account? Enter its password.")


# --- the account itself ------------------------------------------------------------------------------------

class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    time_zone = TimeZoneField(help_text="Your local time zone, for the times OORG shows you.")
    language = forms.ChoiceField(label="Language", choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if len(settings.LANGUAGES) == 1:
            self.fields["language"].help_text = "OORG is available in English only so far."


class ProfilePhotoForm(forms.Form):
    photo = ImageUploadField(noun="photo", label="New photo", help_text="JPEG, PNG, WebP or GIF up to 5 MB. "
                             "It is stored resized to 512 × 512, without location or camera data.")


class PasswordChangeForm(forms.Form):
    current_password = _password("Current password")
    new_password = _password("New password", new=True, help_text="At least 10 characters; not a common password.")


class EmailChangeForm(forms.Form):
    new_email = _email(label="New email address")
    password = _password("Your password")


class EmailConfirmForm(forms.Form):
    code = _code("6-digit code")


class RecoveryCodesForm(forms.Form):
    password = _password("Your password", required=False)
    code = _code("Or a code from your authenticator app", required=False)
