"""A trivial loss line that exists only in the tests (installed by conftest.py): everything
a loss line needs lives in this one package, and `register()` is its one registration.
test_registry.py proves claims takes it in without a change to claims."""
