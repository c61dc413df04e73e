"""Property-based test of the open-data API against its own OpenAPI document: a live
server (pytest-django's, on 127.0.0.1) with the 2023 plan in PostgreSQL, and for every
operation of /api/v1/openapi.json a bounded number of requests that schemathesis makes
from the schema (valid and invalid parameters alike). Every answer must be no 5xx and
must match the schema: status code, content type, headers and body.

Bounded (MAX_EXAMPLES per operation) so the whole run takes well under a minute.
"""

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from ..services import require_postgres

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import negative_data_rejection  # noqa: E402

# Per operation: valid requests, then (for operations with parameters) requests that
# break the schema on purpose (wrong types, out-of-range numbers, unknown choices).
MAX_EXAMPLES = 10


def property_test(strategy, excluded_checks):
    """A Hypothesis test that sends each case `strategy` draws and runs every check of
    schemathesis on the answer but `excluded_checks`."""

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(excluded_checks=excluded_checks)

    return check


@pytest.mark.postgres
def test_every_operation_answers_as_its_schema_says(live_server, transactional_db):
    require_postgres()
    call_command("load_plan_2023", verbosity=0)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16, [op.label for op in operations]
    positive, negative = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
    runs = [(op, positive) for op in operations]
    runs += [(op, negative) for op in operations if list(op.iter_parameters())]
    failures = []
    for operation, mode in runs:
        # negative_data_rejection is left out of the negative run: a query parameter
        # turned into an object is sent exploded (``?x=1`` instead of ``?page=…``), i.e.
        # as no value at all, which the API rightly answers with 200. The hostile values
        # that matter have their own tests (test_open_data.py); here every answer to a
        # broken request must still be no 5xx and match the schema.
        excluded = [negative_data_rejection] if mode is negative else []
        try:
            property_test(operation.as_strategy(generation_mode=mode), excluded)()
        except (Exception, BaseExceptionGroup) as error:  # every operation is reported
            failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
