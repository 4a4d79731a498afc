"""The outbound queue under /api/v1/queue: summary, dead letters, retry one, process now."""

from aiohttp import web
from typing import Any

from pydantic import BaseModel, Field

from gateway.admin.api import Api, Query, after_time, answer, key_cursor, query_of
from gateway.appkeys import STORE, WORKER
from gateway.ports.records import Job, JobState


class DeadLetters(Query):
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, description="the previous page's next_cursor")


class DeadListed(BaseModel):
    dead: list[dict[str, Any]] = Field(description="each dead job, oldest due first, with its last error")
    next_cursor: str | None = Field(description="the cursor of the next page; null on the last")


def job_json(job: Job) -> dict:
    return {
        "id": job.id,
        "state": job.state,
        "recipient": job.message.get("recipient"),
        "provider": job.message.get("provider"),
        "attempts": job.attempts,
        "due_at": job.due_at,
        "last_error": job.last_error,
        "provider_message_id": job.provider_message_id,
    }


def declare(api: Api) -> None:
    @api.route("GET", "/queue", "How many jobs are in each state")
    async def summary(request: web.Request) -> web.Response:
        return answer(await request.config_dict[STORE].queue.counts())

    @api.route(
        "GET",
        "/queue/dead",
        "Dead letters, with the reason each died, oldest due first, page by page",
        query=DeadLetters,
        answers={200: "a page of dead jobs and the cursor of the next one", 400: "a cursor this gateway did not issue"},
        returns=DeadListed,
    )
    async def dead(request: web.Request) -> web.Response:
        page = query_of(request, DeadLetters)
        after = after_time(page.cursor) if page.cursor is not None else None
        jobs = await request.config_dict[STORE].queue.list(JobState.DEAD, page.limit, after)
        last = jobs[-1] if len(jobs) == page.limit else None
        return answer(
            {
                "dead": [job_json(job) for job in jobs],
                "next_cursor": key_cursor(last.due_at.isoformat(), last.id) if last else None,
            }
        )

    @api.route(
        "POST",
        "/queue/{job}/retry",
        "Put a dead or suppressed job back in the queue",
        answers={202: "queued", 404: "no such job", 409: "not dead or suppressed"},
    )
    async def retry(request: web.Request) -> web.Response:
        queue, job_id = request.config_dict[STORE].queue, request.match_info["job"]
        found = await queue.get(job_id)
        if found is None:
            raise web.HTTPNotFound(text=f"no job {job_id}")
        job = await queue.requeue(job_id)
        if job is None:
            raise web.HTTPConflict(text=f"job {job_id} is {found.state.value}; only a dead or suppressed job is retried")
        request.config_dict[WORKER].wake()
        return answer(job_json(job), status=202)

    @api.route(
        "POST", "/queue/process-now", "Wake the queue worker to send what is due at once", answers={202: "woken"}
    )
    async def process_now(request: web.Request) -> web.Response:
        request.config_dict[WORKER].wake()
        return answer({"woken": True}, status=202)
