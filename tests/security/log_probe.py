"""A WSGI app that answers 200 to everything: for running gunicorn with the portal's
deploy/gunicorn.conf.py and reading the access log it writes (tests/security/
test_access_log.py). The log is gunicorn's, whatever the app."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
