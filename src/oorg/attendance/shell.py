"""Attendance in the app shell: its sidebar group, the clock widget on the home dashboard, its audit targets,
its demo data. Each entry is added by the module that owns its page."""


def register() -> None:
    pass
