from .policies import PRIVACY_POLICY_UPDATED, PRIVACY_POLICY_VERSION


def shell(request):
    """What every page's shell needs: the current workspace and the switcher's list."""
    context = {"privacy_version": PRIVACY_POLICY_VERSION, "privacy_updated": PRIVACY_POLICY_UPDATED}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from oorg.core.selectors import memberships_of

        context["my_memberships"] = list(memberships_of(user))
        context["actor"] = getattr(request, "actor", None)
    return context
