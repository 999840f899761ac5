"""Alembic migration scripts; shipped as a package so an installed gateway can migrate."""
