"""Mailchimp's error documents (application/problem+json) as an exception handlers raise."""

from __future__ import annotations

import uuid

ERROR_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/"


class ApiProblem(Exception):
    """Raised by a handler; the server answers it as Mailchimp would."""

    def __init__(self, status: int, title: str, detail: str, errors: list[dict] | None = None):
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail, self.errors = status, title, detail, errors

    def document(self) -> dict:
        doc = {"type": ERROR_TYPE, "title": self.title, "status": self.status, "detail": self.detail,
               "instance": str(uuid.uuid4())}
        if self.errors is not None:
            doc["errors"] = self.errors
        return doc


def not_found(what: str = "resource") -> ApiProblem:
    return ApiProblem(404, "Resource Not Found", f"The requested {what} could not be found.")


def bad_request(detail: str) -> ApiProblem:
    return ApiProblem(400, "Bad Request", detail)


def invalid(detail: str, errors: list[dict] | None = None) -> ApiProblem:
    return ApiProblem(400, "Invalid Resource", detail, errors if errors is not None else [])


def invalid_fields(errors: list[dict]) -> ApiProblem:
    return invalid("The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                   errors)
