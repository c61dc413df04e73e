from django.http import HttpResponse


def minimal(request):
    """The baseline: the whole middleware stack and URL resolving, no template, no
    query. Only bench.urls routes to it, and only the bench command uses that urlconf."""
    return HttpResponse("ok")
