"""How fast the Mailchimp spec loads and validates, and what one emulator round trip costs.

    python bench/emulator_spec.py [--spec PATH] [--requests 500]

Prints numbers; asserts nothing. Run it after touching welcome_gen/emulator/.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from welcome_gen.mailchimp.client import Mailchimp, RetryPolicy
from welcome_gen.emulator import Emulator, default_spec_path, load_spec


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", default=None)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    path = args.spec or default_spec_path()
    if path is None:
        raise SystemExit("no spec: pass --spec or set WELCOME_GEN_MAILCHIMP_SPEC")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache  # a cold cache, then a warm one
        _, cold = timed(lambda: load_spec(path))
        spec, warm = timed(lambda: load_spec(path))
    print(f"spec load, first (YAML parse + patch + cache write): {cold * 1000:8.1f} ms")
    print(f"spec load, cached JSON:                              {warm * 1000:8.1f} ms")
    op = spec.operation("PUT", "/lists/{list_id}/members/{subscriber_hash}")
    body = {"email_address": "a@example.org", "status_if_new": "subscribed", "merge_fields": {"FNAME": "Ann"}}
    params = {"list_id": "L", "subscriber_hash": "h"}
    _, first = timed(lambda: spec.validate(op, params, {"skip_merge_validation": ["True"]}, body))
    n = 2000
    _, many = timed(lambda: [spec.validate(op, params, {}, body) for _ in range(n)])
    print(f"validate PUT member, first (builds the validator):  {first * 1000:8.2f} ms")
    print(f"validate PUT member, then each:                      {many / n * 1e6:8.1f} µs")

    state = tempfile.mkdtemp()
    for label, emu_spec, state_file in (("with spec", spec, None), ("without spec", None, None),
                                        ("with spec and a state file", spec, os.path.join(state, "s.json"))):
        with Emulator(spec=emu_spec, state_file=state_file) as emu:
            mc = Mailchimp(emu.api_key, url=emu.url, retry=RetryPolicy(attempts=1))
            list_id = mc.call("lists.create_list", {
                "name": "bench", "contact": {"company": "c", "address1": "a", "city": "c", "state": "s", "zip": "z",
                                             "country": "GB"}, "permission_reminder": "p", "email_type_option": False,
                "campaign_defaults": {"from_name": "f", "from_email": "f@example.org", "subject": "", "language": "en"}})["id"]
            times = []
            for i in range(args.requests):
                email = f"m{i}@example.org"
                _, took = timed(lambda: mc.call("lists.set_list_member", list_id, mc.subscriber_hash(email),
                                                {"email_address": email, "status_if_new": "subscribed"}))
                times.append(took)
            _, page = timed(lambda: mc.call("lists.get_list_members_info", list_id, count=1000,
                                            fields=["members.id", "members.status", "total_items"]))
            _, par = timed(lambda: mc.map(lambda i: mc.call("lists.get_list_member", list_id,
                                                            mc.subscriber_hash(f"m{i}@example.org")),
                                          range(args.requests)))
        print(f"round trip PUT member ({label}): median {statistics.median(times) * 1000:.2f} ms, "
              f"p95 {sorted(times)[int(len(times) * 0.95)] * 1000:.2f} ms over {len(times)}; "
              f"page of {args.requests} members {page * 1000:.1f} ms; "
              f"{args.requests} GETs via map(8 in flight) {par * 1000:.0f} ms; HTTP calls {mc.calls}")


if __name__ == "__main__":
    main()
