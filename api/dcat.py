"""The DCAT-AP-SE catalogue record (JSON-LD) that Sveriges dataportal harvests.

One ``dcat:Catalog`` published by Mälardalsrådet, with a ``dcat:Dataset`` for each
published plan year and one for each register (organisations, public events,
indicators, programmes). Each dataset has its distributions (the API, and for a plan
also the JSON and CSV files), a licence (CC0 1.0), a contact point, themes from the
EU's data-theme vocabulary and keywords in Swedish and English. Dates come from the
data only: a plan's ``dct:issued`` is the day it was adopted, and is left out where the
plan does not say; nothing else in the data says when it was published or changed, so
no ``dct:modified`` is given.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import selectors
from .exports import LICENCE

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
PUBLISHER_NAME = "Mälardalsrådet"
LANGUAGES = ("sv", "en")


def ref(uri: str) -> dict:
    return {"@id": uri}


def texts(message: str, **values) -> list[dict]:
    """`message` (a gettext msgid) in Swedish and English, as language-tagged literals."""
    literals = []
    for language in LANGUAGES:
        with translation.override(language):
            literals.append({"@language": language, "@value": _(message) % values})
    return literals


def literals(by_language: dict[str, str | None]) -> list[dict]:
    return [
        {"@language": language, "@value": value} for language, value in by_language.items() if value
    ]


def catalogue(request) -> dict:
    def url(viewname, *, language="sv", **kwargs):
        with translation.override(language):
            return request.build_absolute_uri(reverse(viewname, kwargs=kwargs or None))

    catalogue_id = url("api:dcat")
    publisher_id = catalogue_id + "#publisher"
    service_id = url("api:root") + "#service"
    contact = {"@type": "vcard:Organization", "vcard:fn": PUBLISHER_NAME}
    if settings.OPEN_DATA_CONTACT_EMAIL:
        contact["vcard:hasEmail"] = ref(f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}")
    else:
        contact["vcard:hasURL"] = ref(url("open_data:page"))
    languages = [ref(LANGUAGE + "SWE"), ref(LANGUAGE + "ENG")]

    def api_distribution(title_msgid, access_url, **values):
        return {
            "@type": "dcat:Distribution",
            "dct:title": texts(title_msgid, **values),
            "dcat:accessURL": ref(access_url),
            "dcat:accessService": ref(service_id),
            "dct:format": ref(FILE_TYPE + "JSON"),
            "dcat:mediaType": ref(MEDIA_TYPE + "application/json"),
            "dct:license": ref(LICENCE),
        }

    def dataset(dataset_id, *, title, description, themes, keywords, distributions, **extra):
        return {
            "@id": dataset_id,
            "@type": "dcat:Dataset",
            "dct:title": title,
            "dct:description": description,
            "dct:publisher": ref(publisher_id),
            "dcat:contactPoint": contact,
            "dcat:theme": [ref(THEME + theme) for theme in themes],
            "dcat:keyword": keywords,
            "dct:language": languages,
            "dct:accessRights": ref(
                "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
            ),
            "dcat:distribution": distributions,
            **extra,
        }

    datasets = []
    for plan in selectors.plans(request.user):
        year = plan.year
        api_url = url("api:plan_detail", year=year)
        extra = {
            "dcat:landingPage": ref(url("plan:plan_detail", year=year)),
            "dct:temporal": {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": {"@value": str(year), "@type": "xsd:gYear"},
                "dcat:endDate": {"@value": str(year), "@type": "xsd:gYear"},
            },
        }
        if plan.adopted_on:
            extra["dct:issued"] = {"@value": plan.adopted_on.isoformat(), "@type": "xsd:date"}
        datasets.append(
            dataset(
                api_url + "#dataset",
                title=literals({"sv": plan.title_sv, "en": plan.title_en})
                or texts(gettext_noop("Operations plan %(year)s"), year=year),
                description=texts(
                    gettext_noop(
                        "Mälardalsrådet's operations plan for %(year)s: its sections, overall "
                        "goals and activities, with each activity's latest follow-up status "
                        "and progress."
                    ),
                    year=year,
                ),
                themes=["GOVE", "REGI"],
                keywords=texts(gettext_noop("operations plan")) + texts(gettext_noop("follow-up")),
                distributions=[
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": texts(gettext_noop("The plan %(year)s as JSON"), year=year),
                        "dcat:accessURL": ref(url("api:plan_export_json", year=year)),
                        "dcat:downloadURL": ref(url("api:plan_export_json", year=year)),
                        "dct:format": ref(FILE_TYPE + "JSON"),
                        "dcat:mediaType": ref(MEDIA_TYPE + "application/json"),
                        "dct:license": ref(LICENCE),
                    },
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": texts(gettext_noop("The plan %(year)s as CSV"), year=year),
                        "dcat:accessURL": ref(url("api:plan_export_csv", year=year)),
                        "dcat:downloadURL": ref(url("api:plan_export_csv", year=year)),
                        "dct:format": ref(FILE_TYPE + "CSV"),
                        "dcat:mediaType": ref(MEDIA_TYPE + "text/csv"),
                        "dct:license": ref(LICENCE),
                    },
                    api_distribution(
                        gettext_noop("The plan %(year)s through the API"), api_url, year=year
                    ),
                ],
                **extra,
            )
        )
    registers = [
        (
            "api:organisation_list",
            gettext_noop("Organisations"),
            gettext_noop(
                "The organisations of Mälardalsrådet's member directory: kind, county, "
                "website and membership dates."
            ),
            ["GOVE", "REGI"],
            gettext_noop("member directory"),
        ),
        (
            "api:event_list",
            gettext_noop("Public events"),
            gettext_noop(
                "Mälardalsrådet's public meeting places and events: dates, place, the body "
                "that meets, hosts and the plan sections and activities they serve."
            ),
            ["GOVE", "REGI"],
            gettext_noop("events"),
        ),
        (
            "api:indicator_list",
            gettext_noop("Key figures"),
            gettext_noop(
                "The key figures of Mälardalsrådet's operations plan, with their values by "
                "year and their sources."
            ),
            ["REGI", "ECON"],
            gettext_noop("key figures"),
        ),
        (
            "api:programme_list",
            gettext_noop("Programmes"),
            gettext_noop(
                "Mälardalsrådet's programmes (En Bättre Sits, En Bättre Matchning) and the "
                "counties taking part in each."
            ),
            ["REGI", "TRAN", "EDUC"],
            gettext_noop("programmes"),
        ),
    ]
    for viewname, title, description, themes, keyword in registers:
        access_url = url(viewname)
        datasets.append(
            dataset(
                access_url + "#dataset",
                title=texts(title),
                description=texts(description),
                themes=themes,
                keywords=texts(keyword),
                distributions=[api_distribution(title, access_url)],
                **{"dcat:landingPage": ref(url("open_data:page"))},
            )
        )

    return {
        "@context": CONTEXT,
        "@id": catalogue_id,
        "@type": "dcat:Catalog",
        "dct:title": texts(gettext_noop("Mälardalsportalen open data")),
        "dct:description": texts(
            gettext_noop(
                "Open data from Mälardalsrådet: the operations plans and their follow-up, "
                "public events, organisations, key figures and programmes."
            )
        ),
        "dct:publisher": {
            "@id": publisher_id,
            "@type": "foaf:Agent",
            "foaf:name": PUBLISHER_NAME,
            "foaf:homepage": ref(url("plan:home")),
        },
        "dct:license": ref(LICENCE),
        "dct:language": languages,
        "foaf:homepage": ref(url("open_data:page")),
        "dcat:themeTaxonomy": ref("http://publications.europa.eu/resource/authority/data-theme"),
        "dcat:service": [
            {
                "@id": service_id,
                "@type": "dcat:DataService",
                "dct:title": texts(gettext_noop("Mälardalsportalen open data API")),
                "dcat:endpointURL": ref(url("api:root")),
                "dcat:endpointDescription": ref(url("api:schema")),
                "dct:license": ref(LICENCE),
                "dct:publisher": ref(publisher_id),
                "dcat:servesDataset": [ref(item["@id"]) for item in datasets],
            }
        ],
        "dcat:dataset": datasets,
    }
