"""Adopt the live organization into manifests: ``import`` and ``check --fix``.

``importer`` writes new manifests from live tenants. ``fix`` rewrites
existing manifests so that chosen drift is accepted, changing only the
lines that must change.
"""
