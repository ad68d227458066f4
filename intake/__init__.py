"""Taking uploads in: the inbox's applications, each file typed by its bytes, the manifest."""
