"""marshmallow schemas shared by the API (validation, OpenAPI) and the services."""
