"""One tick of `send`: read, repair, plan, deliver, mark, tidy. Mailchimp holds all the state.

    report = tick(project, outbox, mc, now, events=[], dry_run=False)   # what it did: a TickReport

The helpers below return what they did; `tick` alone assembles the report, and brings the members it read up to
what each step recorded (`members.apply_outcome`, as `journey` does), so planning sees what Mailchimp holds.

1. read: the audience's fields, our campaigns and segments (the index), then the subscribed members with their tags;
2. repair: a sent batch whose members lack the record tag gets it on those Mailchimp says it reached (its
   sent-to record), never resent; those it did not reach leave the batch and are planned again. A batch whose
   campaign the index lacks is looked up by title first. An unsent batch of an earlier hour is removed (campaign
   and segment), one of this hour is completed by step 4;
3. plan: the pure planner;
4. deliver each batch on its own: segment, members (500 a call), campaign with the outbox's email, checklist,
   re-read, send only from `save` and when Mailchimp counts the batch's recipients, then the record tag on those
   it reached — a failing batch does not stop the others;
5. mark skipped steps; remove batch segments older than the batch-tag horizon (after checking their records);
   send due newsletter issues.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..project.experiment import promoted
from ..errors import ExitCode
from ..mailchimp.client import Mailchimp, MailchimpError
from ..reporter import NullReporter, Reporter
from ..mailchimp.reads import SENT, paged
from ..mailchimp.records import BatchKey, parse_batch_key, slot_of
from .audience import Campaign, Index, add_trigger_tag_dates, read_fields, read_index, read_members
from .batches import BatchGateway, NotYet
from .events import merge, read_member_events
from .members import BATCH_TAG_DAYS, Event, Member, Outcome, apply_outcome
from .newsletter import IssuePlan, due_titles, plan_issues, send_issues
from .plan import Batch, Plan, plan, record_of

if TYPE_CHECKING:  # delivery is handed its emails, as it is handed the clock and the client
    from ..email.outbox import Outbox
    from ..project.load import Project

CLEANUP_PER_TICK = 50  # old batch segments removed per tick, so a long outage is tidied over a few ticks


@dataclass
class BatchResult:
    """What happened to one batch in a tick: who received it, whom Mailchimp refused, or why it failed."""

    key: str
    sequence: str
    step: str
    variant: str
    planned: int
    recipients: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    error: str | None = None  # nothing was sent
    resumed: bool = False  # the batch existed from an earlier attempt in this hour
    sent: bool = False  # Mailchimp accepted the send: `recipients` are those it reached (or will reach)
    waiting: bool = False  # not sent yet, on purpose (Mailchimp did not count the batch yet): the next run sends it
    unrecorded: str | None = None  # sent, but the record tag could not be written: the next run writes it
    added: list[tuple[str, str]] = field(default_factory=list)  # (email, tag): the batch tag, and the record tag


@dataclass
class TickReport:
    """Everything one tick did and found: its plan, each batch's result, repairs of earlier ticks, skipped steps
    marked, segments tidied, newsletter issues, and errors; its exit code says whether all of it was delivered."""

    now: datetime
    plan: Plan
    members: list[Member]
    dry_run: bool = False
    results: list[BatchResult] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    marked: int = 0
    tidied: int = 0
    issues: list[str] = field(default_factory=list)
    issue_plans: list[IssuePlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    calls: int = 0
    outcome: Outcome = field(default_factory=Outcome)  # every member tag the tick added or took away

    @property
    def delivered(self) -> int:
        return sum(len(r.recipients) for r in self.results if r.sent)

    @property
    def exit_code(self) -> ExitCode:
        failed = [r for r in self.results if r.error or r.unrecorded] or self.errors
        if not failed:
            return ExitCode.OK
        partial = any(r.sent or r.waiting for r in self.results) or self.repaired
        return ExitCode.PARTIAL if partial else ExitCode.MAILCHIMP


def find_folder(mc: Mailchimp, name: str, create: bool) -> str | None:
    """The campaign folder's id, created when asked (None when it does not exist and `create` is false)."""
    for doc in paged(mc, "campaignFolders.list", "folders", fields=["folders.id", "folders.name", "total_items"]):
        if doc.get("name") == name:
            return str(doc["id"])
    if not create:
        return None
    lookup = lambda: next((str(d["id"]) for d in paged(mc, "campaignFolders.list", "folders")  # noqa: E731
                           if d.get("name") == name), None)
    doc = mc.call("campaignFolders.create", {"name": name}, lookup=lookup)
    return doc if isinstance(doc, str) else str(doc["id"])


def tick(project: Project, outbox: Outbox, mc: Mailchimp, now: datetime, *, events: list[Event] = (),
         dry_run: bool = False, member_events: bool = False, reporter: Reporter | None = None) -> TickReport:
    """Run one scheduler tick at `now`, delivering the outbox's emails; changes nothing in Mailchimp when `dry_run`.
    With `member_events`, Mailchimp's member events are read too (one call per member an event sequence could
    reach)."""
    reporter = reporter or NullReporter()
    start_calls = mc.calls
    folder_id = find_folder(mc, project.config.mailchimp.folder, create=not dry_run)
    fields = read_fields(mc)
    index = read_index(mc, now, BATCH_TAG_DAYS)
    members, _ = read_members(mc, project, birthday_format(project, fields))
    add_trigger_tag_dates(mc, project, members)
    if member_events:
        events = merge(list(events), read_member_events(mc, project, members, now))
    store = BatchGateway(mc, index, folder_id, now)
    errors = _missing_fields(project, fields)
    repair = _repair(project, store, members, now, dry_run)
    errors += repair.errors
    apply_outcome(members, repair.outcome)  # the planner sees what Mailchimp holds now
    # A subject the report promoted is an empty segment named for it: the same read as the batches'.
    planned = plan(project, members, list(events), now, winners=promoted(index.segments))
    store.find(due_titles(project, now))  # an issue missing from the index may still have gone
    issue_plans = plan_issues(project, store.index.campaigns, members, now)
    results, marked, tidied, issues, outcome = [], 0, 0, [], repair.outcome
    if not dry_run:
        results = _deliver(project, outbox, store, repair.pending, planned, reporter)
        marked, marks, mark_errors = _mark(store, planned)
        delivered = Outcome(tuple(t for r in results for t in r.added) + marks)
        apply_outcome(members, delivered)
        tidied, tidy_errors = _tidy(project, store, members, now)
        issues, issue_errors = send_issues(outbox, store, issue_plans)
        errors += mark_errors + tidy_errors + issue_errors
        outcome = outcome + delivered
    return TickReport(now, planned, members, dry_run, results=results, repaired=repair.repaired,
                      removed=repair.removed, marked=marked, tidied=tidied, issues=issues, issue_plans=issue_plans,
                      errors=errors, calls=mc.calls - start_calls, outcome=outcome)


def _missing_fields(project: Project, fields: dict[str, dict]) -> list[str]:
    """Merge fields the planner reads that the audience lacks: said clearly; planning goes on without them."""
    names = project.config.mailchimp.fields
    needed = [names.persona, names.timezone]
    if any(s.meta.trigger.type == "birthday" for s in project.sequences):
        needed.append(names.birthday)
    return [f"merge field {tag} is missing in the audience; run `welcome-gen push`" for tag in needed
            if tag not in fields]


def birthday_format(project: Project, fields: dict[str, dict]) -> str:
    """How the audience writes birthdays: `MM/DD`, or `DD/MM` when its birthday field is set so in Mailchimp."""
    found = fields.get(project.config.mailchimp.fields.birthday) or {}
    return str((found.get("options") or {}).get("date_format") or "MM/DD")


def _batch_keys(index: Index) -> set[str]:
    return {name for name in (*index.segments, *index.campaigns) if parse_batch_key(name) is not None}


@dataclass
class Repair:
    """What finishing an earlier tick's work did: the members already in each unsent batch of this hour (which
    `_deliver` completes), what it says, and the member tags it changed."""

    pending: dict[str, set[str]] = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)


def _repair(project: Project, store: BatchGateway, members: list[Member], now: datetime, dry_run: bool) -> Repair:
    """Finish what an earlier tick left half done, before anything new is planned."""
    out = Repair()
    pending = out.pending
    added: list[tuple[str, str]] = []
    removed: list[tuple[str, str]] = []
    current = slot_of(now)
    horizon = now - timedelta(days=BATCH_TAG_DAYS)
    names = sorted(_batch_keys(store.index))
    store.find(n for n in names if parse_batch_key(n).slot_start >= horizon)  # not in the index is not unsent
    for name in names:
        key = parse_batch_key(name)
        campaign = store.index.campaigns.get(name)
        in_batch = [m for m in members if name in m.tags]
        if campaign is not None and key.slot != current and campaign.status not in SENT:
            store.status(campaign)  # before removing it: a list's status can lag behind a send
        if campaign is not None and campaign.status in SENT:
            if key.slot_start >= horizon:
                line, got, left = _record(project, store, name, campaign, in_batch, dry_run)
                out.repaired += [line] if line else []
                added += got
                removed += left
            continue
        if campaign is None and key.slot_start < horizon:
            continue  # its campaign is older than those read, not unsent: `_tidy` checks records, then removes it
        # Not sent: it is no record of anything, so the planner must not count it as a send.
        removed += [(m.email, name) for m in in_batch]
        if key.slot != current:
            if not dry_run:
                try:
                    store.delete_campaign(name)
                except MailchimpError as exc:
                    # Refused: it may be going out after all, behind a status that lags. Kept, and its members
                    # wait for it (held out of planning this step) until Mailchimp says what became of it.
                    added += [(m.email, record_of(project, key)) for m in in_batch]
                    out.errors.append(f"{name}: not removed, its members wait for it: {exc}")
                    continue
                store.delete_segment(name)
            out.removed.append(f"{name}: unsent batch of an earlier hour removed ({len(in_batch)} member(s))")
        else:
            pending[name] = {m.email for m in in_batch}
    out.outcome = Outcome(tuple(added), tuple(removed))
    return out


def _record(project: Project, store: BatchGateway, name: str, campaign: Campaign, in_batch: list[Member],
             dry_run: bool) -> tuple[str | None, list[tuple[str, str]], list[tuple[str, str]]]:
    """A sent batch: the record tag on the members Mailchimp reached; those it did not reach (a canceled send, a
    segment it had not counted yet) leave the batch and are planned again. Nothing is sent again. Returns what to
    say, and the member tags added and taken away."""
    record = record_of(project, parse_batch_key(name))
    missing = [m for m in in_batch if record and record not in m.tags]
    reached = store.reached(campaign) if missing else None
    if reached is None:
        # Mailchimp is still sending it: they wait for it, held out of planning (nothing written; recorded when done)
        return None, [(m.email, record) for m in missing], []
    got = [m.email for m in missing if m.email in reached]
    unreached = [m for m in missing if m.email not in reached]
    if not dry_run:
        store.tag(record, got)
        if unreached and name in store.index.segments:
            store.change(store.index.segments[name], remove=[m.email for m in unreached])
    again = f"; {len(unreached)} it did not reach planned again" if unreached else ""
    return (f"{name}: tagged {len(got)} member(s) {record} (already sent; not resent){again}",
            [(e, record) for e in got], [(m.email, name) for m in unreached])


def _deliver(project: Project, outbox: Outbox, store: BatchGateway, pending: dict[str, set[str]], planned: Plan,
             reporter: Reporter) -> list[BatchResult]:
    """Each batch of the plan on its own, with the outbox's email; what became of each."""
    results = []
    with reporter.task("delivering", total=len(planned.batches)) as task:
        for batch in planned.batches:
            key = unsent_key(store.index, batch.key)
            already = pending.get(str(key), set())
            results.append(_one_batch(project, outbox, store, batch, key, already))
            task.advance()
    return results


def unsent_key(index: Index, key: BatchKey) -> BatchKey:
    """The batch's key for this run: a batch of the same name that an earlier run this hour already sent is a
    record, never reused (members added to it would be tagged without receiving anything), so the next round."""
    while (found := index.campaigns.get(str(key))) is not None and found.status in SENT:
        key = replace(key, round=key.round + 1)
    return key


def _one_batch(project: Project, outbox: Outbox, store: BatchGateway, batch: Batch, batch_key: BatchKey,
               already: set[str]) -> BatchResult:
    key = str(batch_key)
    result = BatchResult(key, batch_key.sequence, batch_key.step, batch_key.variant, len(batch.deliveries))
    record = record_of(project, batch_key)
    try:
        email = outbox.step(batch.key.sequence, batch.key.step, batch.key.variant)
        wanted = batch.emails
        result.resumed = bool(already) or key in store.index.campaigns
        seg = store.segment(key)
        refused = store.change(seg, add=[e for e in wanted if e not in already],
                               remove=sorted(already - set(wanted)))
        result.refused = sorted(set(refused))
        expected = [e for e in wanted if e not in set(refused)]
        campaign = store.campaign(key, seg, email)
        store.send(campaign, expected=len(expected))
    except NotYet as exc:
        result.error, result.waiting = str(exc), True
        return result
    except MailchimpError as exc:
        result.error = str(exc)
        return result
    result.sent = True
    result.recipients = expected
    try:
        reached = store.reached(campaign)
        if reached is None:  # Mailchimp is still sending: the next run records whom it reached
            result.added = [(e, tag) for e in expected for tag in (key, record)]  # they wait for it
            return result
        result.recipients = [e for e in expected if e in reached]
        store.tag(record, result.recipients)
        unreached = [e for e in expected if e not in reached]
        if unreached:  # planned again (a canceled send, or members Mailchimp had not counted)
            store.change(seg, remove=unreached)
    except MailchimpError as exc:
        result.unrecorded = f"sent, but not yet recorded (the next run records it): {exc}"
        return result
    result.added = [(e, tag) for e in result.recipients for tag in (key, record)]
    return result


def _mark(store: BatchGateway, planned: Plan) -> tuple[int, tuple[tuple[str, str], ...], list[str]]:
    """Mark the plan's late steps skipped: how many, the tags added, and what failed."""
    by_record: dict[str, list[str]] = {}
    for skip in planned.skips:
        by_record.setdefault(skip.record, []).append(skip.email)
    added: list[tuple[str, str]] = []
    errors = []
    for record, emails in sorted(by_record.items()):
        try:
            store.tag(record, emails)
            added += [(e, record) for e in emails]
        except MailchimpError as exc:
            errors.append(f"marking {record}: {exc}")
    return len(added), tuple(added), errors


def _tidy(project: Project, store: BatchGateway, members: list[Member], now: datetime) -> tuple[int, list[str]]:
    """Remove batch segments past the horizon, after making sure everyone the batch reached carries the record tag
    (from Mailchimp's sent-to record, which still names those who have left since)."""
    horizon = now - timedelta(days=BATCH_TAG_DAYS)
    old = sorted(n for n in store.index.segments if (k := parse_batch_key(n)) is not None and k.slot_start < horizon)
    tidied, errors = 0, []
    for name in old[:CLEANUP_PER_TICK]:
        key = parse_batch_key(name)
        campaign = store.index.campaigns.get(name)
        try:
            if campaign is not None and campaign.status in SENT and (record := record_of(project, key)):
                reached = store.reached(campaign)
                if reached is None:
                    continue  # still sending: kept until Mailchimp is done
                have = {m.email for m in members if record in m.tags}
                store.tag(record, sorted(reached - have))
            store.delete_segment(name)
            tidied += 1
        except MailchimpError as exc:
            errors.append(f"tidying {name}: {exc}")
    return tidied, errors
