"""Prefect flows of the nightly batch: orchestration only, no business logic."""
