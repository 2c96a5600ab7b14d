"""Accounts: users, registrants (登记主体), roles, API tokens, sign-in (local and OIDC)."""
