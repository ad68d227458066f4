"""The one typed data model every stage fills in: money and dates, the enums, documents, reports."""
