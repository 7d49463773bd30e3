from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "oorg.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self):
        from oorg.core import demo

        from . import permissions  # noqa: F401  the crm.* permission names and audit labels
        from .demo import seed_crm
        from .events import register_all
        from .services import imports

        register_all()  # event types and notification kinds, one module per kind of object
        imports.register()  # the import job kinds and upload sizes
        demo.contribute(30, "crm", seed_crm)
        self.register_in_shell()
        self.register_in_audit_log()

    @staticmethod
    def register_in_audit_log():
        """The audit log names CRM records and links those the reader may open (their record scope)."""
        from oorg.core import audit

        from . import scopes
        from .models import Company, Contact, CustomField, Deal, Lead, Pipeline, WebForm

        for model, url_name, kwarg in ((Lead, "crm:lead", "lead_id"), (Contact, "crm:contact", "contact_id"),
                                       (Company, "crm:company", "company_id"), (Deal, "crm:deal", "deal_id")):
            audit.register_target(model, links=audit.page_links(
                url_name, kwarg, lambda actor, model=model: scopes.visible(actor, model).order_by()))
        audit.register_target(Pipeline)
        audit.register_target(CustomField, noun="Custom field", label=lambda f: f"{f.label} ({f.entity})")
        audit.register_target(WebForm, noun="Web form")

    @staticmethod
    def register_in_shell():
        """The CRM group of the sidebar and the top bar's search (of contacts) for those with a record scope."""
        from oorg.web import shell

        from . import dashboard
        from .permissions import IMPORT, SETTINGS, VIEW_ALL, VIEW_OWN, VIEW_TEAM

        sees = shell.can(VIEW_OWN, VIEW_TEAM, VIEW_ALL)
        crm = shell.register_area("crm", label="Customers", icon="briefcase", order=15)
        crm.item("Leads", "crm:leads", icon="user-plus", visible=sees, paths=("crm/leads/",))
        crm.item("Contacts", "crm:contacts", icon="contact-round", visible=sees, paths=("crm/contacts/",))
        crm.item("Companies", "crm:companies", icon="building", visible=sees, paths=("crm/companies/",))
        crm.item("Deals", "crm:deals", icon="handshake", visible=sees, paths=("crm/deals/",))
        crm.item("Pipeline board", "crm:board", icon="square-kanban", visible=sees, paths=("crm/board/",))
        crm.item("Forecast", "crm:forecast", icon="chart-column", visible=sees, paths=("crm/forecast/",))
        crm.item("My activities", "crm:activities", icon="list-todo", visible=sees, paths=("crm/activities/",))
        crm.item("Import", "crm:import", icon="upload", visible=shell.can(IMPORT), paths=("crm/import",))
        crm.card("crm.my-day", title="Your sales day", icon="list-todo", template="crm/cards/my_day.html",
                 context=dashboard.my_day, visible=sees, order=15)
        crm.item("CRM settings", "crm:pipelines", icon="settings-2", visible=shell.can(SETTINGS),
                 paths=("crm/pipelines/", "crm/settings/", "crm/web-forms/"))
        # The duplicates, bulk and saved-view pages are reached from the lists; they light up their list's item.
