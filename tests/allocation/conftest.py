from __future__ import annotations

import pytest

from anju.allocation import FactorMethod, builtin_method, load_method

from .helpers import FIXTURES


@pytest.fixture(scope="session")
def method_2022() -> FactorMethod:
    return builtin_method("2022")


@pytest.fixture(scope="session")
def test_method() -> FactorMethod:
    return load_method(FIXTURES / "valid.yaml")
