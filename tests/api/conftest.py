from tests.deliveries.conftest import clinic, hospital, mother, other_mother  # noqa: F401
