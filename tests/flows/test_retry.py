"""Which failures the batch's tasks retry: input and output errors, which can pass; not a
corrupt upload or a bug, which fail the same way every time."""

from __future__ import annotations

import zipfile

import pytest


@pytest.mark.parametrize(("error", "retried"), [
    (OSError("NFS server not responding"), True),
    (TimeoutError("read timed out"), True),  # an OSError
    (zipfile.BadZipFile("File is not a zip file"), False),
    (ValueError("a bug"), False),
])
def test_only_input_and_output_errors_are_retried(error: Exception, retried: bool) -> None:
    from prefect.states import Failed

    from flows.nightly import transient

    assert transient(None, None, Failed(data=error)) is retried


def test_a_failure_without_an_exception_is_not_retried() -> None:
    from prefect.states import Completed, Failed

    from flows.nightly import transient

    assert transient(None, None, Failed(message="crashed")) is False
    assert transient(None, None, Completed(data=1)) is False
