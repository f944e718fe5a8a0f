"""`welcome-gen emulator` in a project folder: the project's audience, and its sample subscribers on request."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from emulator_process import start
from mailchimp.fixtures import AUDIENCE, FAST
from welcome_gen.cli import main
from welcome_gen.mailchimp.client import Mailchimp
from welcome_gen.emulator import ApiProblem

JOINED = "2027-03-01T08:00:00+00:00"


def members(mc: Mailchimp, list_id: str) -> dict[str, dict]:
    docs = mc.call("lists.get_list_members_info", list_id, count=1000)["members"]
    return {m["email_address"]: m for m in docs}


def test_in_the_example_project_it_creates_the_audience_and_seeds_the_samples(example):
    emu = start("--seed-samples", "--joined", "2027-03-01T08:00:00Z", cwd=example)
    try:
        assert emu.exports["MAILCHIMP_LIST_ID"] == "3ab9e1c2d4"  # mailchimp.audience_id in welcome.yaml
        assert "  audience 3ab9e1c2d4 (Bramble & Bolt Woodshop): created from welcome.yaml" in emu.lines
        assert "  8 of 8 sample subscribers from sequences/samples.yaml added" in emu.lines
        form = next(line for line in emu.lines if "its signup form" in line).split()[-1]
        assert form.endswith("/subscribe/post?u=e0a1b2c3d4e5f60718293a4b5&id=3ab9e1c2d4")
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        audience = mc.call("lists.get_list", "3ab9e1c2d4")
        assert audience["name"] == "Bramble & Bolt Woodshop"
        assert audience["contact"]["company"] == "Bramble & Bolt Woodshop"
        assert audience["contact"]["address1"] == "Unit 4, Paintworks, Bath Road, Bristol BS4 3EH, United Kingdom"
        assert audience["campaign_defaults"]["from_email"] == "hello@brambleandbolt.example"
        assert audience["campaign_defaults"]["from_name"] == "Ada at Bramble & Bolt"
        assert audience["stats"]["member_count"] == 8
        found = members(mc, "3ab9e1c2d4")
        ada = found["ada@brambleandbolt.example"]
        assert ada["status"] == "subscribed" and ada["timestamp_opt"] == JOINED
        assert {k: v for k, v in ada["merge_fields"].items() if v} == {
            "FNAME": "Ada", "LNAME": "Lovelace", "BIRTHDAY": "12/10", "PERSONA": "curious-beginners",
            "TIMEZONE": "Europe/London"}
        # A persona we are not a good fit for is no choice of the signup form, so that member has none, and says so.
        assert found["machines@brambleandbolt.example"]["merge_fields"]["PERSONA"] == ""
        assert any("machines: persona 'machine-woodworkers' is not a signup choice" in line for line in emu.lines)
    finally:
        emu.stop()


def test_without_an_audience_id_a_made_up_one_is_printed_and_kept_across_restarts(example, tmp_path):
    config = example / "welcome.yaml"
    config.write_text(config.read_text().replace("audience_id: 3ab9e1c2d4", "folder: welcome-gen"))
    state = tmp_path / "state.json"
    emu = start(str(example), "--seed-samples", "--state", str(state), cwd=tmp_path)
    try:
        list_id = emu.exports["MAILCHIMP_LIST_ID"]
        assert len(list_id) == 10 and list_id != "3ab9e1c2d4"
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        assert mc.list_id == list_id and mc.call("lists.get_list", list_id)["stats"]["member_count"] == 8
        mc.call("lists.update_list_member", list_id, mc.subscriber_hash("ada@brambleandbolt.example"),
                {"status": "unsubscribed"})
    finally:
        emu.stop()
    emu = start(str(example), "--seed-samples", "--state", str(state), cwd=tmp_path)
    try:
        assert emu.exports["MAILCHIMP_LIST_ID"] == list_id
        assert f"  audience {list_id} (Bramble & Bolt Woodshop): already in the state" in emu.lines
        assert "  0 of 8 sample subscribers from sequences/samples.yaml added (the others were there already)" \
            in emu.lines
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        assert mc.call("lists.get_all_lists")["total_items"] == 1
        assert members(mc, list_id)["ada@brambleandbolt.example"]["status"] == "unsubscribed"  # left as it was
    finally:
        emu.stop()


def test_a_project_without_seeding_gets_an_empty_audience_for_push_to_fill(example):
    emu = start(cwd=example)
    try:
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        audience = mc.call("lists.get_list", emu.exports["MAILCHIMP_LIST_ID"])
        assert audience["stats"]["member_count"] == 0
        tags = {f["tag"] for f in mc.call("lists.get_list_merge_fields", audience["id"])["merge_fields"]}
        assert "PERSONA" not in tags  # push creates it, and says so
    finally:
        emu.stop()


@pytest.mark.parametrize("args, where, code, message", [
    (["--seed-samples"], "empty", 2, "--seed-samples needs a project"),
    (["--joined", "2027-03-01T08:00:00Z"], "example", 2, "--joined only goes with --seed-samples"),
    (["--seed-samples", "--joined", "March"], "example", 2, "--joined: 'March' is not an ISO 8601 time"),
    (["{empty}"], "example", 1, "welcome.yaml: not found"),
])
def test_mistakes_are_one_line_errors_before_it_listens(capsys, monkeypatch, example, tmp_path, args, where, code,
                                                        message):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty if where == "empty" else example)
    assert main(["emulator", "--port", "0", "--no-spec", *[a.format(empty=empty) for a in args]]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_seeding_is_all_or_nothing(mailchimp_emulator):
    assert mailchimp_emulator.add_audience("abc1234567", AUDIENCE) is True
    good = {"email_address": "a@example.org", "status": "subscribed"}
    bad = {"email_address": "b@example.org", "status": "subscribed", "merge_fields": {"BIRTHDAY": "13/40"}}
    with pytest.raises(ApiProblem):
        mailchimp_emulator.add_members("abc1234567", [good, bad])
    assert mailchimp_emulator.add_members("abc1234567", [good]) == ["a@example.org"]
    assert mailchimp_emulator.add_audience("abc1234567", AUDIENCE) is False


def test_deliveries_can_be_listed_short_and_a_misspelt_field_is_a_400(mailchimp_emulator):
    base = mailchimp_emulator.base
    with urllib.request.urlopen(f"{base}/_emulator/deliveries?fields=email_address,subject") as answer:
        assert json.load(answer) == {"deliveries": []}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/_emulator/deliveries?fields=emial")
    assert refused.value.code == 400 and "no 'emial' in a delivery" in json.load(refused.value)["detail"]
