"""Background jobs a person starts and watches: `GET /api/v1/jobs/{id}` and a page with a progress bar.

An area registers a kind once (`register("org.employee.import", permission=..., run=...)`), then
`start(actor, kind, params=..., total=...)` saves a queued `Job` and sends it to Celery (`core.run_job`).
The run function gets the job and a `progress(done, total=None)` callable, and returns the JSON result;
raising `JobFailed(result)` ends it as failed with that result. Progress is written in short commits of
its own, so another connection sees it while the job runs (except inside the job's own write transaction).

A job is visible to its creator and to members holding its kind's permission; to anyone else it does not
exist (404). Workers die: `recover_stale()` (periodic, settings.CELERY_BEAT_SCHEDULE) sends a job queued
for too long again, and fails a job whose heartbeat stopped, with a message saying to run it again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .errors import NotFound
from .models import Job, Membership
from .permissions import Actor

log = logging.getLogger(__name__)

STALE_RUNNING = timedelta(minutes=15)  # no progress commit for this long: the worker is gone
STALE_QUEUED = timedelta(minutes=10)  # queued this long: the message was lost (a crash before sending)
MAX_ATTEMPTS = 3
KEEP_FINISHED = timedelta(days=30)
PROGRESS_EVERY = timedelta(seconds=0.5)


class JobFailed(Exception):
    """Raised by a run function: the job ends as failed, with `result` (what went wrong) for its creator."""

    def __init__(self, result: dict):
        super().__init__(result.get("detail", "failed"))
        self.result = result


@dataclass(frozen=True)
class Kind:
    name: str
    permission: str  # who may see every job of this kind (its creator always may)
    run: Callable  # run(actor, job, progress) -> result dict
    on_give_up: Callable | None = None  # cleanup(job) when recovery fails it (stored files)


KINDS: dict[str, Kind] = {}


def register(name: str, *, permission: str, run: Callable, on_give_up: Callable | None = None) -> None:
    KINDS[name] = Kind(name, permission, run, on_give_up)


def as_json(job: Job) -> dict:
    return {"id": job.pk, "kind": job.kind, "state": job.state, "progress": job.progress, "total": job.total,
            "result": job.result, "created_at": job.created_at, "finished_at": job.finished_at}


def start(actor: Actor, kind: str, *, params: dict, total: int | None = None) -> Job:
    """Queue a job for this actor; it is sent to the workers once the current transaction commits (or at once
    when tasks run eagerly, as in tests and `oorg import`, so the job has finished when this returns)."""
    from .tasks import run_job

    if kind not in KINDS:
        raise KeyError(f"unknown job kind {kind!r}")
    if actor.token_scopes is not None:  # the worker acts with no more rights than the token that asked
        params = {**params, "_scopes": sorted(actor.token_scopes)}
    job = Job.objects.create(workspace=actor.workspace, kind=kind, params=params, total=total,
                             created_by=actor.membership)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        run_job.delay(actor.workspace.pk, job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: run_job.delay(actor.workspace.pk, job.pk))
    return job


def get_job(actor: Actor, job_id: int, *, kind: str | None = None) -> Job:
    """The job, if this actor started it or holds its kind's permission; NotFound otherwise."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or (kind is not None and job.kind != kind):
        raise NotFound()
    mine = actor.membership is not None and job.created_by_id == actor.membership.pk
    registered = KINDS.get(job.kind)
    if not mine and not (registered and actor.can(registered.permission)):
        raise NotFound()
    return job


def _actor_of(job: Job) -> Actor:
    membership = Membership.objects.select_related("user", "workspace").filter(pk=job.created_by_id).first()
    if membership is None:
        return Actor.system(job.workspace)
    scopes = job.params.get("_scopes")
    return Actor(user=membership.user, workspace=membership.workspace, membership=membership,
                 role=membership.role if membership.is_active else "none",
                 token_scopes=frozenset(scopes) if scopes is not None else None)


def _update(job: Job, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    Job.objects.filter(pk=job.pk).update(**fields)


def run(job_id: int) -> None:
    """Run one queued job (the body of `core.run_job`). A job already taken by another worker is left alone."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now)
    if not claimed:
        return
    job = Job.objects.select_related("workspace").get(pk=job_id)
    Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    last = [timezone.now() - PROGRESS_EVERY]

    def progress(done: int, total: int | None = None) -> None:
        now = timezone.now()
        if now - last[0] < PROGRESS_EVERY and total is None:
            return  # a commit per chunk at most every half second keeps the database quiet
        last[0] = now
        fields = {"progress": done, "heartbeat_at": now}
        if total is not None:
            fields["total"] = total
        _update(job, **fields)

    try:
        result, state = KINDS[job.kind].run(_actor_of(job), job, progress), Job.State.SUCCEEDED
    except JobFailed as failed:
        result, state = failed.result, Job.State.FAILED
    except Exception:
        log.exception("job %s (%s) crashed", job.pk, job.kind)
        result, state = {"detail": "The job stopped because of an error on our side; run it again."}, Job.State.FAILED
    _update(job, state=state, result=result, finished_at=timezone.now(), heartbeat_at=timezone.now())


def recover_stale(now=None) -> dict:
    """Requeue jobs whose message was lost, fail jobs whose worker died, forget old finished jobs."""
    from .tasks import run_job

    now = now or timezone.now()
    requeued = failed = 0
    lost = Job.all_workspaces.filter(state=Job.State.QUEUED, created_at__lt=now - STALE_QUEUED)
    for job in lost.only("pk", "workspace_id", "attempts")[:1000]:
        if job.attempts < MAX_ATTEMPTS:
            run_job.delay(job.workspace_id, job.pk)
            Job.all_workspaces.filter(pk=job.pk).update(attempts=job.attempts + 1)
            requeued += 1
        else:
            _give_up(job, now, "The job could not be started; run it again.")
            failed += 1
    dead = Job.all_workspaces.filter(state=Job.State.RUNNING, heartbeat_at__lt=now - STALE_RUNNING)
    for job in dead[:1000]:
        _give_up(job, now, "The job stopped before it finished (the server restarted); nothing of it was saved "
                           "if it was writing. Run it again.")
        failed += 1
    old = Job.all_workspaces.filter(finished_at__lt=now - KEEP_FINISHED)
    deleted = old.delete()[0]
    return {"requeued": requeued, "failed": failed, "deleted": deleted}


def _give_up(job: Job, now, message: str) -> None:
    changed = Job.all_workspaces.filter(pk=job.pk, state=job.state).update(
        state=Job.State.FAILED, finished_at=now, result={"detail": message})
    kind = KINDS.get(job.kind)
    if changed and kind and kind.on_give_up:
        kind.on_give_up(job)
