"""The persona field: the signup form, the field `push` makes and the planner agree, and survive renames."""

from __future__ import annotations

import pytest

from welcome_gen.delivery.audience import read_members
from welcome_gen.delivery.push import push, wanted_fields
from welcome_gen.errors import ProjectError
from welcome_gen.project import load_project
from welcome_gen.site.build import build

from helpers import outbox_of
from support import at, join

MAKERS = "---\ntitle: {title}\nfit: true\nsummary: s\n{extra}---\nWho they are.\n"


def personas_of(project, mc) -> dict[str, str]:
    members, _ = read_members(mc, project)
    return {m.email: m.persona for m in members}


def test_the_form_sends_what_push_makes_the_choices_and_the_planner_reads_it_back(project, mailchimp, tmp_path):
    push(project, outbox_of(project), mailchimp)
    field = next(f for f in mailchimp.call("lists.get_list_merge_fields", mailchimp.list_id)["merge_fields"]
                 if f["tag"] == "PERSONA")
    assert field["type"] == "dropdown" and field["options"]["choices"] == ["learners", "makers"]
    build(project, out=tmp_path / "public")
    page = (tmp_path / "public" / "index.html").read_text()
    for choice in field["options"]["choices"]:  # every radio button's value is a choice Mailchimp accepts
        assert f'name="PERSONA" value="{choice}"' in page
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    assert personas_of(project, mailchimp) == {"ann@x.org": "makers"}


def test_a_renamed_title_changes_nothing_in_mailchimp(project_dir, mailchimp):
    push(p := load_project(project_dir), outbox_of(p), mailchimp)
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    (project_dir / "content/audiences/makers.md").write_text(MAKERS.format(title="Weekend makers", extra=""))
    renamed = load_project(project_dir)
    changes = push(renamed, outbox_of(renamed), mailchimp, dry_run=True)
    assert [c.action for c in changes if c.kind == "merge field" and c.name == "PERSONA"] == ["unchanged"]
    assert personas_of(renamed, mailchimp) == {"ann@x.org": "makers"}


def test_a_renamed_slug_keeps_its_members_through_formerly(project_dir, mailchimp):
    push(p := load_project(project_dir), outbox_of(p), mailchimp)
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    (project_dir / "content/audiences/makers.md").write_text(
        MAKERS.format(title="Makers", extra="slug: crafters\nformerly: [makers]\n"))
    for path in project_dir.glob("sequences/*.yaml"):  # the sequences follow the new slug
        path.write_text(path.read_text().replace("[makers]", "[crafters]").replace(" makers:", " crafters:"))
    renamed = load_project(project_dir)
    assert wanted_fields(renamed)["PERSONA"]["options"]["choices"] == ["learners", "crafters", "makers"]
    push(renamed, outbox_of(renamed), mailchimp)
    join(mailchimp, "bob@x.org", at("2027-03-01 09:40"), persona="crafters")
    assert personas_of(renamed, mailchimp) == {"ann@x.org": "crafters", "bob@x.org": "crafters"}


def test_an_audience_pushed_with_titles_as_choices_still_reads_as_personas(project, mailchimp):
    """Before the choices were slugs, `push` made them the titles: those members keep their persona."""
    mailchimp.call("lists.add_list_merge_field", mailchimp.list_id,
                   {"tag": "PERSONA", "name": "Which of these describes you?", "type": "dropdown",
                    "options": {"choices": ["Learners", "Makers"]}})
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="Makers")
    assert personas_of(project, mailchimp) == {"ann@x.org": "makers"}
    changes = push(project, outbox_of(project), mailchimp)
    field = next(c for c in changes if c.name == "PERSONA")
    assert field.action == "update" and "['Learners', 'Makers'] -> ['learners', 'makers']" in field.drift
    assert personas_of(project, mailchimp) == {"ann@x.org": "makers"}


def test_a_former_slug_may_name_only_one_persona(project_dir):
    (project_dir / "content/audiences/makers.md").write_text(
        MAKERS.format(title="Makers", extra="formerly: [learners]\n"))
    with pytest.raises(ProjectError) as err:
        load_project(project_dir)
    assert [str(p) for p in err.value.problems] == [
        "content/audiences/makers.md:5: formerly: 'learners' is also the slug of content/audiences/learners.md; "
        "each slug names one persona"]
