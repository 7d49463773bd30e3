"""Background jobs: progress in short commits, visibility, and the periodic recovery of lost or dead jobs."""
from datetime import timedelta

import pytest
from django.utils import timezone

from oorg.core import jobs
from oorg.core.models import Job
from oorg.core.permissions import Actor
from oorg.core.tasks import recover_stale_jobs
from oorg.core.tenancy import workspace_scope

from ..conftest import actor_for

pytestmark = pytest.mark.django_db
seen_progress = []


def _count(actor, job, progress):
    for done in range(1, 4):
        progress(done, 3)
        seen_progress.append(Job.objects.get(pk=job.pk).progress)  # committed, readable by anyone
    return {"counted": 3, "as": actor.label}


def _crash(actor, job, progress):
    raise RuntimeError("boom")


def _refuse(actor, job, progress):
    raise jobs.JobFailed({"detail": "No good."})


jobs.register("test.count", permission="audit.event.view", run=_count)
jobs.register("test.crash", permission="audit.event.view", run=_crash)
jobs.register("test.refuse", permission="audit.event.view", run=_refuse)


def test_a_job_runs_reports_progress_and_keeps_its_result(workspace, member):
    seen_progress.clear()
    actor = actor_for(member, workspace)
    with workspace_scope(workspace):
        job = jobs.start(actor, "test.count", params={})

    assert seen_progress == [1, 2, 3]
    assert (job.state, job.progress, job.total) == ("succeeded", 3, 3)
    assert job.result == {"counted": 3, "as": member.email} and job.finished_at is not None


def test_a_crash_or_a_refusal_ends_the_job_as_failed_with_a_message(workspace, owner):
    actor = actor_for(owner, workspace)
    with workspace_scope(workspace):
        crashed = jobs.start(actor, "test.crash", params={})
        refused = jobs.start(actor, "test.refuse", params={})

    assert crashed.state == "failed" and "run it again" in crashed.result["detail"]
    assert refused.state == "failed" and refused.result == {"detail": "No good."}


def test_a_job_is_seen_by_its_creator_and_the_holders_of_its_permission_only(workspace, owner, admin, member, hr):
    with workspace_scope(workspace):
        job = jobs.start(actor_for(member, workspace), "test.count", params={})
        assert jobs.get_job(actor_for(member, workspace), job.pk) == job
        assert jobs.get_job(actor_for(admin, workspace), job.pk) == job  # holds audit.event.view
        with pytest.raises(jobs.NotFound):
            jobs.get_job(actor_for(hr, workspace), job.pk)


def _stale(workspace, **fields) -> Job:
    with workspace_scope(workspace):
        job = Job.objects.create(workspace=workspace, kind="test.count", **fields)
    return job


def test_recovery_fails_a_job_whose_worker_died_and_requeues_a_lost_one(workspace):
    long_ago = timezone.now() - timedelta(hours=1)
    dead = _stale(workspace, state="running", heartbeat_at=long_ago, started_at=long_ago)
    lost = _stale(workspace, state="queued")
    Job.all_workspaces.filter(pk=lost.pk).update(created_at=long_ago)
    given_up = _stale(workspace, state="queued", attempts=jobs.MAX_ATTEMPTS)
    Job.all_workspaces.filter(pk=given_up.pk).update(created_at=long_ago)
    fresh = _stale(workspace, state="running", heartbeat_at=timezone.now())

    assert recover_stale_jobs() == {"requeued": 1, "failed": 2, "deleted": 0}

    states = {j.pk: (j.state, (j.result or {}).get("detail", "")) for j in Job.all_workspaces.all()}
    assert states[dead.pk][0] == "failed" and "Run it again" in states[dead.pk][1]
    assert states[lost.pk] == ("succeeded", "")  # sent again, and run (eagerly, in tests)
    assert states[given_up.pk][0] == "failed"
    assert states[fresh.pk] == ("running", "")


def test_recovery_forgets_jobs_finished_a_month_ago(workspace):
    old = _stale(workspace, state="succeeded", finished_at=timezone.now() - timedelta(days=31))

    assert recover_stale_jobs()["deleted"] == 1
    assert not Job.all_workspaces.filter(pk=old.pk).exists()


def test_the_recovery_is_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["recover-stale-jobs"]["task"] == "core.recover_stale_jobs"


def test_the_system_actor_may_run_a_job_without_a_creator(workspace):
    with workspace_scope(workspace):
        job = jobs.start(Actor.system(workspace), "test.count", params={})
    assert job.result["as"] == "system"
