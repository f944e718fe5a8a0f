"""Batch operations (run at once, results as a gzipped tar of JSON) and the Customer Journey trigger."""

from __future__ import annotations

import io
import json
import tarfile

from .common import check_email, collection, find_member, subscriber_hash
from .fields import shape
from .problems import ApiProblem, invalid_fields, not_found
from .routes import Request, route


def _view(batch: dict) -> dict:
    return {k: v for k, v in batch.items() if not k.startswith("_")}


@route("POST", "/batches")
def start(req: Request):
    ops = (req.body or {}).get("operations")
    if not isinstance(ops, list) or not ops:
        raise invalid_fields([{"field": "operations", "message": "at least one operation is required"}])
    store = req.store
    bid = store.new_id()
    submitted = store.now()
    results, errored = [], 0
    for op in ops:
        try:
            body = json.loads(op["body"]) if op.get("body") else None
        except ValueError:
            status, doc = 400, ApiProblem(400, "JSON Parse Error", "We encountered an unspecified JSON parsing error.").document()
        else:
            status, doc = req.emulator.execute(op.get("method", "GET").upper(), op.get("path", ""),
                                               {k: [str(v)] for k, v in (op.get("params") or {}).items()}, body)
        errored += status >= 400
        results.append({"status_code": status, "operation_id": op.get("operation_id"),
                        "response": json.dumps(doc) if doc is not None else ""})
    batch = {"id": bid, "status": "finished", "total_operations": len(ops), "finished_operations": len(ops),
             "errored_operations": errored, "submitted_at": submitted, "completed_at": store.now(),
             "response_body_url": f"{req.emulator.base}/_emulator/batches/{bid}.tar.gz", "_results": results}
    store.data["batches"][bid] = batch
    store.touch()
    # Mailchimp answers before running anything; the work shows up on the next status read.
    return {**_view(batch), "status": "pending", "finished_operations": 0, "errored_operations": 0, "completed_at": ""}


@route("GET", "/batches")
def list_batches(req: Request):
    return collection("batches", [_view(b) for b in req.store.data["batches"].values()], req.query)


@route("GET", "/batches/{batch_id}")
def status(req: Request):
    batch = req.store.data["batches"].get(req.params["batch_id"])
    if batch is None:
        raise not_found("batch")
    return shape(_view(batch), req.query)


@route("DELETE", "/batches/{batch_id}")
def stop(req: Request):
    if req.store.data["batches"].pop(req.params["batch_id"], None) is None:
        raise not_found("batch")
    req.store.touch()


def results_archive(batch: dict) -> bytes:
    """The gzipped tar Mailchimp serves at `response_body_url`: JSON files of {status_code, operation_id, response}."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = json.dumps(batch["_results"]).encode("utf-8")
        info = tarfile.TarInfo(f"{batch['id']}/{batch['id']}-0.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@route("POST", "/customer-journeys/journeys/{journey_id}/steps/{step_id}/actions/trigger")
def trigger(req: Request):
    email = check_email((req.body or {}).get("email_address"))
    on_list = any(find_member(req.store, list_id, subscriber_hash(email)) for list_id in req.store.data["lists"])
    if not on_list:
        raise ApiProblem(400, "Bad Request", f"{email} is not subscribed to the journey's audience.")
    req.store.data["journey_triggers"].append({"journey_id": req.params["journey_id"], "step_id": req.params["step_id"],
                                               "email_address": email, "time": req.store.now()})
    req.store.touch()
