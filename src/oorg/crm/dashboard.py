"""The CRM's dashboard card: the reader's own open activities and the open deals in their record scope.
Two aggregate queries, whatever the workspace's size."""
from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .models import Activity
from .services.forecast import open_deals


def my_day(actor) -> dict:
    now = timezone.now()
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    mine = Activity.objects.filter(owner_id=getattr(actor.membership, "pk", None), done_at__isnull=True)
    counts = mine.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)),
                            today=Count("pk", filter=Q(due_at__gte=now, due_at__lte=end_of_day)))
    deals = open_deals(actor).order_by().aggregate(n=Count("pk"))
    slug = actor.workspace.slug
    return {**counts, "open_deals": deals["n"],
            "activities_url": reverse("crm:activities", kwargs={"workspace_slug": slug}),
            "board_url": reverse("crm:board", kwargs={"workspace_slug": slug})}
