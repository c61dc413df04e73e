"""The DCAT-AP-SE catalogue record at /api/v1/dcat.jsonld, read as RDF (rdflib's
JSON-LD parser) the way a harvester such as Sveriges dataportal reads it."""

import datetime

import pytest
from django.urls import reverse
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, XSD

from plan.models import Plan

from ..factories import PlanFactory, SectionFactory

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db):
    adopted = PlanFactory(year=2023, adopted_on=datetime.date(2022, 12, 8))
    SectionFactory(plan=adopted)
    undated = PlanFactory(year=2022, adopted_on=None)
    draft = PlanFactory(year=2024, status=Plan.Status.DRAFT)
    return adopted, undated, draft


def graph(client) -> Graph:
    response = client.get(reverse("api:dcat"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    g = Graph()
    g.parse(data=response.content, format="json-ld", base="http://testserver/")
    return g


def languages(g, subject, predicate) -> set[str]:
    return {o.language for o in g.objects(subject, predicate) if isinstance(o, Literal)}


def one(g, subject, predicate):
    values = list(g.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_the_catalogue_has_the_required_dcat_ap_se_properties(client, plans):
    g = graph(client)
    catalogue = next(g.subjects(RDF.type, DCAT.Catalog))
    assert languages(g, catalogue, DCTERMS.title) == {"sv", "en"}
    assert languages(g, catalogue, DCTERMS.description) == {"sv", "en"}
    assert one(g, catalogue, DCTERMS.license) == CC0
    publisher = one(g, catalogue, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in g
    assert str(one(g, publisher, FOAF.name)) == "Mälardalsrådet"

    datasets = set(g.objects(catalogue, DCAT.dataset))
    assert datasets == set(g.subjects(RDF.type, DCAT.Dataset))
    # The two published years and four registers; never the draft.
    assert len(datasets) == 6
    assert not any("2024" in str(d) for d in datasets)
    for dataset in datasets:
        assert languages(g, dataset, DCTERMS.title) == {"sv", "en"}, dataset
        assert languages(g, dataset, DCTERMS.description) == {"sv", "en"}, dataset
        assert one(g, dataset, DCTERMS.publisher) == publisher
        contact = one(g, dataset, DCAT.contactPoint)
        assert str(one(g, contact, VCARD.fn)) == "Mälardalsrådet"
        assert list(g.objects(contact, VCARD.hasEmail)) or list(g.objects(contact, VCARD.hasURL))
        themes = {str(t) for t in g.objects(dataset, DCAT.theme)}
        assert themes and all(t.startswith(THEMES) for t in themes)
        assert languages(g, dataset, DCAT.keyword) == {"sv", "en"}
        distributions = list(g.objects(dataset, DCAT.distribution))
        assert distributions
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in g
            assert one(g, distribution, DCTERMS.license) == CC0
            assert str(one(g, distribution, DCTERMS.format)).startswith(FILE_TYPES)
            access = str(one(g, distribution, DCAT.accessURL))
            path = access.removeprefix("http://testserver")
            assert client.get(path).status_code == 200, access


def test_a_plan_year_has_json_csv_and_api_distributions(client, plans):
    adopted, undated, _draft = plans
    g = graph(client)
    dataset = URIRef("http://testserver/api/v1/plans/2023/#dataset")
    assert (dataset, RDF.type, DCAT.Dataset) in g
    assert one(g, dataset, DCTERMS.issued) == Literal(adopted.adopted_on, datatype=XSD.date)
    distributions = list(g.objects(dataset, DCAT.distribution))
    formats = sorted(str(one(g, d, DCTERMS.format)).removeprefix(FILE_TYPES) for d in distributions)
    assert formats == ["CSV", "JSON", "JSON"]  # the two files, and the API
    downloads = {str(url) for d in distributions for url in g.objects(d, DCAT.downloadURL)}
    assert downloads == {
        "http://testserver/api/v1/plans/2023/export.json",
        "http://testserver/api/v1/plans/2023/export.csv",
    }
    through_api = [
        d for d in g.objects(dataset, DCAT.distribution) if list(g.objects(d, DCAT.accessService))
    ]
    assert len(through_api) == 1
    service = one(g, through_api[0], DCAT.accessService)
    assert (service, RDF.type, DCAT.DataService) in g
    assert str(one(g, service, DCAT.endpointURL)) == "http://testserver/api/v1/"
    assert str(one(g, service, DCAT.endpointDescription)) == (
        "http://testserver/api/v1/openapi.json"
    )
    assert dataset in set(g.objects(service, DCAT.servesDataset))


def test_dates_come_from_the_data_only(client, plans):
    g = graph(client)
    undated = URIRef("http://testserver/api/v1/plans/2022/#dataset")
    assert (undated, RDF.type, DCAT.Dataset) in g
    assert list(g.objects(undated, DCTERMS.issued)) == []
    assert list(g.subjects(DCTERMS.modified, None)) == []
    issued = {str(o) for o in g.objects(None, DCTERMS.issued)}
    assert issued == {"2022-12-08"}


def test_the_contact_address_is_a_setting(client, plans, settings):
    settings.OPEN_DATA_CONTACT_EMAIL = "oppnadata@example.org"
    g = graph(client)
    contacts = set(g.objects(None, DCAT.contactPoint))
    assert {str(one(g, c, VCARD.hasEmail)) for c in contacts} == {"mailto:oppnadata@example.org"}
