"""Biên bản họp hội đồng thẩm định: the minutes of an appraisal council's meeting (or of
the designated officers' appraisal) — when and where, the establishing decision, the
members present, each đề án with every member's weighted score, the average, the
conclusion and the members' opinions, and the signatures of the chair and the secretary.

The average and the conclusion are the ones the council recorded
(``projects.services.council_conclude``, averaged by ``projects.appraisal``): the minutes
print them, never compute their own."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.policies import visible
from core.formatting import format_date
from priorities.selectors import proposals_priorities
from projects.models import Appraisal, AppraisalCouncil, CouncilMember
from projects.selectors import council_board

from .common import ChoiceLabels, ReportDataMissing, base_context, in_sentence, person_line

TEMPLATE = "pdf/reports/council_minutes.html"
DOC_TYPE = "Biên bản"
RECOMMENDATION_LABELS = ChoiceLabels(Appraisal.Recommendation.choices)
ROLE_LABELS = ChoiceLabels(CouncilMember.Role.choices)
MODE_LABELS = ChoiceLabels(AppraisalCouncil.Mode.choices)


def build(job) -> dict:
    user = job.requested_by
    council = (
        visible(user, AppraisalCouncil.objects.all())
        .select_related("agency__province")
        .filter(pk=(job.params or {}).get("council"))
        .first()
    )
    if council is None:
        raise ReportDataMissing(_("The council does not exist or you may not see it."))
    board = council_board(council)
    seats = board["seats"]
    chair = next((m.user for m in seats if m.role == CouncilMember.Role.CHAIR), None)
    secretary = next((m.user for m in seats if m.role == CouncilMember.Role.SECRETARY), None)
    designated = council.mode == AppraisalCouncil.Mode.DESIGNATED
    context = base_context(
        job,
        doc_type=DOC_TYPE,
        default_summary=f"Họp {council.name[:1].lower()}{council.name[1:]}",
        landscape=False,
        number=council.minutes_number or job.number,
        issued_on=council.meeting_date,
        issuer=council.agency,
    )
    rows = []
    priorities = proposals_priorities([link.proposal for link in board["links"]])
    for link in board["links"]:
        rows.append(
            {
                "proposal": link.proposal,
                # The priorities the đề án meets (priorities.selectors), with their citation.
                "priorities": [
                    f"{m.priority.name} ({m.priority.citation})"
                    for m in priorities.get(link.proposal_id, [])
                ],
                "scores": [(m, board["sheets"].get((link.proposal_id, m.user_id))) for m in seats],
                "average": link.average_score,
                "conclusion": (
                    RECOMMENDATION_LABELS[link.recommendation] if link.recommendation else ""
                ),
                "opinions": link.opinions,
            }
        )
    context.update(
        {
            "council": council,
            "designated": designated,
            "mode_label": MODE_LABELS[council.mode],
            "place": in_sentence(council.meeting_place),
            "members": [(person_line(m.user), ROLE_LABELS[m.role]) for m in seats],
            "seats": seats,
            "rows": rows,
            "decision_text": (
                f"Quyết định số {council.decision_number} ngày {format_date(council.decision_date)}"
            ),
            "chair": chair,
            "secretary": secretary,
        }
    )
    return context
