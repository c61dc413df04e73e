"""The pages a Swedish public body's site must have — accessibility statement
(DOS-lagen), personal data (GDPR), cookies, contact — linked from every page's footer,
in Swedish and English, with the secretariat's contact details kept in the admin."""

import pytest
from django.urls import reverse
from django.utils import translation

from about.models import ContactDetails
from audit.models import AuditEntry
from members import roles
from tests import factories
from tests.pages import page_text

pytestmark = pytest.mark.django_db

FOOTER = {
    "sv": ["Kontakt", "Tillgänglighetsredogörelse", "Personuppgifter", "Kakor"],
    "en": ["Contact", "Accessibility statement", "Personal data", "Cookies"],
}


def url(name, lang, **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_links_the_four_pages_in_its_footer(client, lang):
    plan = factories.PlanFactory(year=2023)
    pages = [
        url("plan:home", lang),
        url("plan:plan_detail", lang, year=plan.year),
        url("events:event_list", lang),
        url("login", lang),
        url("about:cookies", lang),
    ]
    targets = {
        url(f"about:{name}", lang)
        for name in ("contact", "accessibility", "personal_data", "cookies")
    }
    for page in pages:
        response = client.get(page)
        html = response.content.decode()
        footer = html[html.index('<footer class="site-footer"') :]
        for label in FOOTER[lang]:
            assert f">{label}</a>" in footer, (page, label)
        for target in targets:
            assert f'href="{target}"' in footer, (page, target)
        # The linked pages answer in the same language.
    for target in targets:
        assert client.get(target).status_code == 200


def test_the_accessibility_statement_says_what_the_law_asks(client):
    text = page_text(client.get(url("about:accessibility", "sv")))
    for required in (
        "Tillgänglighetsredogörelse",
        "delvis förenlig med lagen om tillgänglighet till digital offentlig service",
        "Innehåll som inte är tillgängligt",
        "Myndigheten för digital förvaltning",
        "WCAG 2.1",
        "Rapportera brister",
    ):
        assert required in text, required
    html = client.get(url("about:accessibility", "sv")).content.decode()
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    english = page_text(client.get(url("about:accessibility", "en")))
    assert "partially compliant" in english and "Agency for Digital Government" in english


def test_contact_details_are_the_secretariats_and_never_invented(client, settings):
    # Nothing entered: the pages say so and show no address.
    text = page_text(client.get(url("about:contact", "sv")))
    assert "Kansliet har inte lagt in sina kontaktuppgifter" in text
    assert "@" not in text

    secretariat = factories.UserFactory(
        username="kansli", is_staff=True, groups=[roles.SECRETARIAT]
    )
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:about_contactdetails_add"),
        {
            "organisation_sv": "Mälardalsrådet",
            "organisation_en": "Mälardalsrådet",
            "email": "kansliet@example.org",
            "phone": "08-123 456 78",
            "postal_address_sv": "Box 1\n111 11 Stockholm",
            "postal_address_en": "Box 1\nSE-111 11 Stockholm",
            "visiting_address_sv": "",
            "visiting_address_en": "",
            "note_sv": "",
            "note_en": "",
            "privacy_email": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    details = ContactDetails.objects.get()
    assert AuditEntry.objects.filter(content_type__model="contactdetails").exists()
    # Not twice: the form to add leads to the one row.
    response = client.get(reverse("admin:about_contactdetails_add"))
    assert response["Location"] == reverse("admin:about_contactdetails_change", args=[details.pk])
    assert (
        "kansliet@example.org"
        in client.get(reverse("admin:about_contactdetails_changelist")).content.decode()
    )

    client.logout()
    for name in ("contact", "accessibility", "personal_data"):
        text = page_text(client.get(url(f"about:{name}", "sv")))
        assert "kansliet@example.org" in text, name
    assert "Box 1 111 11 Stockholm" in page_text(client.get(url("about:contact", "sv")))
    assert "SE-111 11" in page_text(client.get(url("about:contact", "en")))


def test_the_personal_data_page_gives_the_real_time_limits(client, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    text = page_text(client.get(url("about:personal_data", "sv")))
    assert "högst 8 timmar" in text
    assert "efter 30 minuter utan aktivitet" in text
    assert "Integritetsskyddsmyndigheten" in text
    settings.SESSION_IDLE_TIMEOUT = 0
    text = page_text(client.get(url("about:personal_data", "en")))
    assert "at most 8 hours" in text and "without activity" not in text


def test_the_cookie_statement_names_every_cookie_the_site_sets(client):
    """Use the site as a member does — log in, send a form, switch language — and
    compare the cookies it set with those the statement names."""
    factories.UserFactory(username="medlem", password="ett tillräckligt långt lösenord")
    set_cookies = set()

    def note(response):
        set_cookies.update(response.cookies.keys())
        return response

    note(client.get(url("plan:home", "sv")))
    note(client.get(url("login", "sv")))
    note(
        client.post(
            url("login", "sv"),
            {"username": "medlem", "password": "ett tillräckligt långt lösenord"},
        )
    )
    note(client.post(reverse("set_language"), {"language": "en", "next": "/en/"}))
    note(client.get(url("events:my_calendar", "en")))

    text = page_text(client.get(url("about:cookies", "sv")))
    named = {name for name in ("sessionid", "csrftoken", "django_language") if name in text}
    assert set_cookies, "the walk set the login's cookies"
    assert set_cookies <= named, f"set but not named in the statement: {set_cookies - named}"
    assert "statistik" in text and "samtycke" in text
