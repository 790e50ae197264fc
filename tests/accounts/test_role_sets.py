"""The role sets are declared once (accounts.models) and every module that decides by role
agrees with them: the permissions, the đề án workflow and the recording of money give the
same answer for the same role."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from accounts.policies import has_perm
from disbursement import services as money
from projects import workflow
from tests.disbursement.factories import approved
from tests.projects.factories import user_with

# What the domain says, written out here rather than imported (domain.md: the Sở and its
# promotion centre keep the province's records; the Sở appraises and decides).
PROVINCIAL_EDITORS = {Role.PROVINCE_ADMIN, Role.PROVINCE_STAFF, Role.CENTRE_STAFF}
DEPARTMENT = {Role.PROVINCE_ADMIN, Role.PROVINCE_STAFF}
MINISTRY = {Role.MINISTRY_OFFICIAL, Role.MINISTRY_ADMIN}


def _records_money(user, proposal) -> bool:
    try:
        money._require_recorder(user, proposal)
    except PermissionDenied:
        return False
    return True


@pytest.mark.django_db
def test_every_module_gives_a_provincial_role_the_same_rights(world):
    proposal = approved(14)
    for role in Role:
        user = user_with(role, 14)
        editor = role in PROVINCIAL_EDITORS
        assert has_perm(user, "proposal.create") is editor, role
        assert has_perm(user, "disbursement.record") is editor, role
        assert (role in workflow.ACTIONS["submit"].roles) is editor, role
        assert _records_money(user, proposal) is editor, role
        department = role in DEPARTMENT
        assert (role in workflow.ACTIONS["appraise"].roles) is department, role
        assert (role in workflow.ACTIONS["approve"].roles) is department, role
        assert has_perm(user, "plan.edit") is (department or role in MINISTRY), role


@pytest.mark.django_db
def test_the_ministry_roles_act_for_the_ministry(world):
    for role in Role:
        assert (role in workflow.ACTIONS["ministry_approve"].roles) is (role in MINISTRY), role
        assert has_perm(user_with(role), "proposal.appraise") is (
            role in MINISTRY or role in DEPARTMENT
        ), role
