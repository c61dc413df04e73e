"""Reads of documents: which a user may read, for a page's list and for the download."""

from django.contrib.contenttypes.models import ContentType

from .models import Document


def readable_visibilities(user) -> list[str]:
    """The visibility levels `user` may read: everyone public; logged-in users the
    members' documents; the board and the secretariat (``view_board_document``) all."""
    levels = [Document.Visibility.PUBLIC]
    if user is not None and user.is_authenticated:
        levels.append(Document.Visibility.MEMBERS)
        if user.has_perm("documents.view_board_document"):
            levels.append(Document.Visibility.BOARD)
    return levels


def documents_for(target, user) -> tuple[list[Document], int]:
    """The documents attached to `target` that `user` may read, in their order, and how
    many more there are that they may not (to say that logging in shows more, without
    saying what). One query; the caller has already decided that `user` may see
    `target` itself."""
    content_type = ContentType.objects.get_for_model(target)
    readable = set(readable_visibilities(user))
    documents = list(
        Document.objects.filter(content_type=content_type, object_id=target.pk).only(
            "pk", "title", "title_sv", "title_en", "file", "kind", "size", "date", "visibility"
        )
    )
    shown = [d for d in documents if d.visibility in readable]
    return shown, len(documents) - len(shown)


def target_visible_to(document: Document, user) -> bool:
    """Whether `user` may see what `document` is attached to: a draft plan's texts are
    the board's, a members-only event the members'. Asked through the target's own
    rules, so a document never says more than its page."""
    target = document.target
    if target is None:
        return False
    plan = None
    label = document.content_type.model
    if label == "plan":
        plan = target
    elif label == "section":
        plan = target.plan
    elif label == "activity":
        plan = target.section.plan
    if plan is not None:
        return plan.is_published or bool(user and user.has_perm("plan.view_draft_plan"))
    if label == "event":
        return type(target).objects.visible_to(user).filter(pk=target.pk).exists()
    return True
