"""Code shared by the test suites (importable by RQ workers too, unlike test modules)."""
