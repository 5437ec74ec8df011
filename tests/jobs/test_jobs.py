"""Background jobs (issue 20 §2, issue 15 §7): one job per identical request, caps per contest
and overall, retries, a dead worker's job marked failed so it can be started again."""

from __future__ import annotations

import threading
from datetime import timedelta

import job_handlers
import pytest

from compapp.auth.models import utcnow
from compapp.extensions import db as _db
from compapp.jobs import services
from compapp.jobs.models import Job


@pytest.fixture
def app_config():
    return {"JOB_MAX_PER_CONTEST": 2, "JOB_MAX_ACTIVE": 3}


@pytest.fixture
def handlers(monkeypatch):
    monkeypatch.setitem(services.HANDLERS, "flaky", "job_handlers:flaky")
    monkeypatch.setitem(services.HANDLERS, "hopeless", "job_handlers:hopeless")
    job_handlers.CALLS.clear()
    return job_handlers.CALLS


def request(contest, n: int = 0, kind: str = "certificate_zip") -> services.JobRequest:
    return services.JobRequest(kind, {"contest_id": contest.id}, contest.id, 5, f"input-{n}")


def count_jobs(db) -> int:
    return db.session.scalar(db.select(db.func.count(Job.id)))


def test_the_same_request_while_queued_is_the_same_job(db, dummy_contest):
    """Asking again for what is already queued shows the first job; nothing new starts."""
    first, new_first = services.start_job(request(dummy_contest), None)
    db.session.commit()
    again, new_again = services.start_job(request(dummy_contest), None)
    db.session.commit()
    assert new_first and not new_again
    assert again.id == first.id
    assert count_jobs(db) == 1


def test_the_database_refuses_a_second_active_job_for_one_request(db, dummy_contest):
    """The one-job-per-request rule is a unique index on active jobs, not only a check."""
    from sqlalchemy.exc import IntegrityError

    job, _ = services.start_job(request(dummy_contest), None)
    db.session.commit()
    db.session.add(
        Job(id="f" * 32, kind=job.kind, request_key=job.request_key, params="{}", state="running")
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_jobs_are_capped_per_contest_and_overall(db, create_contest):
    """Two jobs queued or running for one contest, three in all: the next is refused with a
    sentence saying to wait."""
    a, b, c = create_contest(), create_contest(), create_contest()
    services.start_job(request(a, 1), None)
    services.start_job(request(a, 2), None)
    db.session.commit()
    with pytest.raises(services.JobRefused, match="该赛事已有 2 个"):
        services.start_job(request(a, 3), None)
    db.session.rollback()
    services.start_job(request(b, 1), None)
    db.session.commit()
    with pytest.raises(services.JobRefused, match="系统已有 3 个"):
        services.start_job(request(c, 1), None)
    db.session.rollback()
    assert count_jobs(db) == 3


def _start_at_once(app, requests) -> tuple[list[str], list[str]]:
    barrier = threading.Barrier(len(requests))
    started, refused = [], []

    def start(job_request):
        with app.app_context():
            barrier.wait()
            try:
                job, new = services.start_job(job_request, None)
                _db.session.commit()
                if new:
                    started.append(job.id)
            except services.JobRefused:
                _db.session.rollback()
                refused.append(job_request.fingerprint)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=start, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return started, refused


def test_simultaneous_identical_requests_start_one_job(app, db, dummy_contest):
    """Twelve quick clicks at the same moment (issue 15 §7) start one job, not twelve."""
    started, refused = _start_at_once(app, [request(dummy_contest)] * 12)
    assert len(started) == 1 and not refused
    assert count_jobs(db) == 1


def test_simultaneous_different_requests_never_pass_the_cap(app, db, dummy_contest):
    """Eight different requests for one contest at the same moment: exactly the cap starts."""
    started, refused = _start_at_once(app, [request(dummy_contest, n) for n in range(8)])
    assert len(started) == 2 and len(refused) == 6
    assert count_jobs(db) == 2


def test_a_passing_fault_is_retried_and_the_job_finishes(db, dummy_contest, handlers):
    """A job whose first attempt fails is tried again (JOB_MAX_ATTEMPTS) and finishes."""
    job, _ = services.start_job(request(dummy_contest, kind="flaky"), None)
    db.session.commit()
    services.dispatch(job)  # tests run jobs in the request (JOB_RUNNER = "inline")
    db.session.expire_all()
    job = services.get_job(job.id)
    assert job.state == "done" and job.attempts == 2
    assert services.status_of(job)["result"] == {"attempt": 2}
    assert handlers == [job.id, job.id]


def test_a_job_that_cannot_succeed_fails_at_once_with_its_reason(db, dummy_contest, handlers):
    """A refusal inside a job is not retried: the job fails with the reason shown."""
    job, _ = services.start_job(request(dummy_contest, kind="hopeless"), None)
    db.session.commit()
    services.dispatch(job)
    db.session.expire_all()
    job = services.get_job(job.id)
    assert job.state == "failed" and job.error == "这份数据无法处理。"
    assert len(handlers) == 1


def test_a_dead_workers_job_is_marked_failed_and_can_be_started_again(app, db, dummy_contest):
    """A running job whose worker stopped beating (JOB_STALE_SECONDS) reads as failed, and the
    same request then starts a new job."""
    job, _ = services.start_job(request(dummy_contest), None)
    job.state = "running"
    job.heartbeat_at = utcnow() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 1)
    db.session.commit()
    seen = services.get_job(job.id)
    assert seen.state == "failed" and "已停止" in seen.error
    again, new = services.start_job(request(dummy_contest), None)
    db.session.commit()
    assert new and again.id != job.id


def test_a_job_nobody_picks_up_is_marked_failed(app, db, dummy_contest):
    """A job queued for longer than JOB_QUEUED_SECONDS (no worker running) says so."""
    job, _ = services.start_job(request(dummy_contest), None)
    job.created_at = utcnow() - timedelta(seconds=app.config["JOB_QUEUED_SECONDS"] + 1)
    db.session.commit()
    seen = services.get_job(job.id)
    assert seen.state == "failed" and "没有后台进程" in seen.error


def test_a_result_file_is_stored_in_chunks_and_read_back_whole(db, dummy_contest, monkeypatch):
    """Result files live in the database (any host can send them), in bounded chunks."""
    import io

    monkeypatch.setattr(services, "CHUNK_BYTES", 1000)
    job, _ = services.start_job(request(dummy_contest), None)
    data = bytes(range(256)) * 20
    assert services.store_result(job, io.BytesIO(data), "x.zip") == len(data)
    db.session.commit()
    assert b"".join(services.iter_result(job)) == data
    assert db.session.scalar(db.text("SELECT count(*) FROM job_chunks")) == 6


def test_unknown_or_malformed_job_ids_are_not_found(db):
    for job_id in ("x" * 32, "../../etc/passwd", "0" * 31, "0" * 32):
        assert services.get_job(job_id) is None


@pytest.mark.parametrize("app_config", [{"JOB_RUNNER": "thread"}])
def test_without_redis_a_job_runs_in_a_thread_of_the_web_process(
    app, db, dummy_contest, handlers, app_config
):
    """`make run` has no Redis: the same code runs the job in the web process's thread pool,
    and its progress is read from the database like any other."""
    import time

    job, _ = services.start_job(request(dummy_contest, kind="flaky"), None)
    db.session.commit()
    services.dispatch(job)
    deadline = time.monotonic() + 30
    while True:
        db.session.expire_all()
        seen = services.get_job(job.id)
        state = seen.state
        db.session.rollback()  # end the read, as a request does (SQLite: let the job write)
        if state == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    seen = services.get_job(job.id)
    assert seen.state == "done" and seen.attempts == 2
    app.extensions["compapp_job_pool"].shutdown(wait=True)


def test_a_refused_start_says_why_in_the_persons_language(
    db, client, auth, dummy_organiser, dummy_contest
):
    """Over the per-contest cap, the button answers with a sentence (in English on English
    pages), and no job starts."""
    services.start_job(request(dummy_contest, 1), None)
    services.start_job(request(dummy_contest, 2), None)
    db.session.commit()
    auth.login("organiser")
    client.get("/?lang=en")
    page = client.post(
        f"/contests/{dummy_contest.id}/awards/recompute", follow_redirects=True
    ).get_data(as_text=True)
    assert "This contest already has 2 background jobs queued or running" in page
    assert count_jobs(db) == 2
