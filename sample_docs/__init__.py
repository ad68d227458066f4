"""The bundled sample evidence corpus and its generator (``python -m sample_docs.gen``)."""
