from oorg.accounts.policies import PRIVACY_POLICY_UPDATED, PRIVACY_POLICY_VERSION, TERMS_VERSION


def shell(request):
    """What every page's shell needs: the current workspace and the switcher's list."""
    context = {
        "privacy_version": PRIVACY_POLICY_VERSION,
        "privacy_updated": PRIVACY_POLICY_UPDATED,
        "terms_version": TERMS_VERSION,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from oorg.core.selectors import memberships_of

        actor = getattr(request, "actor", None)
        context["my_memberships"] = list(memberships_of(user))
        context["actor"] = actor
        context["current_workspace"] = actor.workspace if actor is not None else None
    return context
