"""One extractor per document type: pages of words with boxes → fields with provenance."""
