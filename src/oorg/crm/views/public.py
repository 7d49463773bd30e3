"""Pages anyone may open without signing in: the web-to-lead form (/f/<key>).

The form page may be framed by any site (it is made to be embedded), so it alone answers without
X-Frame-Options and with `frame-ancestors *`; every other page stays unframeable. Its POST takes this page's
own form and a plain HTML form posted from another site, so it is exempt from the CSRF check: it never acts
with the visitor's session (it makes a lead as the system), so there is nothing a forged post could borrow.
"""
from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from oorg.core import request_context
from oorg.core.errors import DomainError, Throttled
from oorg.core.forms import add_service_error, render_form
from oorg.core.middleware import ContentSecurityPolicyMiddleware
from oorg.core.tenancy import workspace_scope

from ..services import web_forms

HONEYPOT = "website"


class SubmissionForm(forms.Form):
    full_name = forms.CharField(label="Name", max_length=150)
    email = forms.CharField(label="Email", required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Phone", required=False, max_length=40,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    company_name = forms.CharField(label="Company", required=False, max_length=200,
                                   widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    message = forms.CharField(label="Message", required=False, max_length=web_forms.MAX_MESSAGE,
                              widget=forms.Textarea(attrs={"rows": 4}))
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, web_form, **kwargs):
        super().__init__(*args, **kwargs)
        if web_form.consent_text:
            self.fields["consent"].label = web_form.consent_text
        else:
            del self.fields["consent"]


def _framable(response, web_form):
    """Any site may frame this page; its form may lead on to the form's redirect address."""
    policy = ContentSecurityPolicyMiddleware.POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
    origin = web_forms.redirect_origin(web_form)
    if origin:
        policy = policy.replace("form-action 'self'", f"form-action 'self' {origin}")
    response["Content-Security-Policy"] = policy
    return response


def _form_or_404(key: str):
    web_form = web_forms.form_by_key(key)
    if web_form is None:
        raise Http404("No such form.")
    return web_form


def _page(request, web_form, form, *, status=None):
    context = {"web_form": web_form, "form": form, "honeypot": HONEYPOT}
    response = (render(request, "crm/public/form.html", context, status=status) if status
                else render_form(request, "crm/public/form.html", context, form))
    return _framable(response, web_form)


@xframe_options_exempt
@csrf_exempt
@require_http_methods(["GET", "POST"])
def form_page(request, key):
    web_form = _form_or_404(key)
    with workspace_scope(web_form.workspace_id):
        if request.method != "POST":
            return _page(request, web_form, SubmissionForm(web_form=web_form))
        form = SubmissionForm(request.POST, web_form=web_form)
        ip = request_context.ip_of(request)
        try:
            web_forms.throttle(web_form, ip)
        except Throttled as exc:
            add_service_error(form, exc)
            response = _page(request, web_form, form, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        if request.POST.get(HONEYPOT):
            return _done(web_form)  # a bot filled the hidden field: it is told it worked, nothing is made
        if form.is_valid():
            try:
                web_forms.submit_web_form(web_form, form.cleaned_data, ip=ip)
                return _done(web_form)
            except DomainError as exc:
                add_service_error(form, exc)
        else:
            _values, problems = web_forms.check_submission(web_form, {**request.POST.dict()})
            from oorg.core.forms import add_problems

            add_problems(form, problems)
        return _page(request, web_form, form)


def _done(web_form):
    if web_form.redirect_url:
        return HttpResponseRedirect(web_form.redirect_url)
    return redirect("crm-public:thanks", key=web_form.key)


@xframe_options_exempt
@require_safe
def thanks(request, key):
    web_form = _form_or_404(key)
    return _framable(render(request, "crm/public/thanks.html", {"web_form": web_form}), web_form)


urlpatterns = [
    path("f/<str:key>", form_page, name="form"),
    path("f/<str:key>/thanks", thanks, name="thanks"),
]
