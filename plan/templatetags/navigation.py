"""The header's role-aware links (templates/includes/work_nav.html): ``{% work_links as
work %}`` gives plan.navigation.WorkLinks for the request's user, computed once per
request. Anonymous visitors get empty links, so their header is the same for all."""

from django import template

from plan.navigation import WorkLinks, work_links

register = template.Library()


@register.simple_tag(takes_context=True)
def work_links_for(context) -> WorkLinks:
    request = context.get("request")
    # A page rendered before the authentication middleware ran (the 400 page that
    # BadInputMiddleware gives a NUL in the query) has no user: a visitor's header.
    if request is None or not hasattr(request, "user"):
        return WorkLinks()
    if not hasattr(request, "_work_links"):
        request._work_links = work_links(request.user)
    return request._work_links
