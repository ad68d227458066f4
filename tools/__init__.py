"""Development tools: benchmark, accuracy evaluation, fuzzer, screenshots. Not part of the product."""
