"""Errors that reach a person. Their text is Chinese and says what to do."""


class Refused(Exception):
    """The program refuses the request and has written nothing (CLI exit code 1)."""
