"""Leave in the app shell: its sidebar group, dashboard card, audit targets and demo data. Each entry is added
by the module that owns its page."""


def register() -> None:
    pass
