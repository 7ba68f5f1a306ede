"""Tests of the TTLock Access integration."""
