"""Tests of the fake TTLock cloud itself."""
