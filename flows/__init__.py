"""The Prefect flow of the nightly batch and the command line: the only code importing Prefect."""

DASK_ADDRESS_ENV = "VOUCHER_CHECK_DASK_ADDRESS"
"""The Dask scheduler of runs started by a deployment (``serve --dask-address`` sets it)."""
