"""What tests/ and bench/ both run on: the test services and real Daphne processes."""
