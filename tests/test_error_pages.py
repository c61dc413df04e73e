"""A server error shows the portal's own bilingual page, not Django's bare one."""

from django.template.loader import render_to_string


def test_the_500_page_is_bilingual_and_in_the_site_layout():
    html = render_to_string("500.html")
    assert '<html lang="sv">' in html
    assert "<title>Serverfel – Server error – Mälardalsportalen</title>" in html
    assert "Något gick fel" in html and '<div lang="en">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "css/portal.css" in html
