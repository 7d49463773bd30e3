"""Versions of the published policies. Signup records the versions a user accepted."""
PRIVACY_POLICY_VERSION = "1.0.0"
PRIVACY_POLICY_UPDATED = "March 2026"
TERMS_VERSION = "1.0.0"
