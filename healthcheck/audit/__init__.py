"""Proving a build: manifest, verify and the disclosure attack on the published outputs."""
