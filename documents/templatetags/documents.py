from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("documents/includes/document_list.html", takes_context=True)
def document_list(context, target, level: int = 2):
    """The documents of `target` the page's user may read, with a note when logging in
    (or the board's rights) would show more. One query."""
    user = context["request"].user
    documents, hidden = selectors.documents_for(target, user)
    return {
        "documents": documents,
        "hidden": hidden,
        "logged_in": user.is_authenticated,
        "level": level,
        "request": context["request"],
    }
