from .factories import ActivityFactory, EventFactory, RoleFactory, StatusUpdateFactory


def test_factories_build(db, secretariat_user):
    assert StatusUpdateFactory().activity.section.plan
    assert ActivityFactory().text_en.startswith("To carry")
    assert EventFactory().place == "Södertälje"
    assert RoleFactory().body
    assert secretariat_user.has_perm("plan.change_section")
    assert not secretariat_user.is_superuser
