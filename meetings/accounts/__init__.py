"""Accounts for the secretariat and co-conveners: login, roles, invitations (participants have none)."""
