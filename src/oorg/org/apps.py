from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "oorg.org"
    label = "org"

    def ready(self):
        from oorg.core import demo, images, imports, limits

        from . import events, permissions  # noqa: F401  register the org.* permission names, event types, kinds
        from .demo import seed_people
        from .importing import EMPLOYEES, MAX_FILE_BYTES

        demo.contribute(20, "people", seed_people)
        imports.register(EMPLOYEES)  # the job kind "org.employee.import", for the workers too
        limits.allow_upload(r"^/api/v1/employees/import(/preview)?$", MAX_FILE_BYTES)
        limits.allow_upload(r"^/w/[^/]+/organization/import/$", MAX_FILE_BYTES)
        limits.allow_upload(r"^/api/v1/employees/\d+/photo$", images.MAX_BYTES)
        limits.allow_upload(r"^/w/[^/]+/people/\d+/photo/upload$", images.MAX_BYTES)
        self.register_in_shell()
        self.register_in_audit_log()

    @staticmethod
    def register_in_audit_log():
        """How the audit log names and links org's targets (its action labels sit with the permissions)."""
        from django.urls import reverse

        from oorg.core import audit

        from . import selectors
        from .models import Branch, Department, Employee, OrgSettings
        from .permissions import BRANCH_MANAGE, DEPARTMENT_MANAGE, SETTINGS_MANAGE

        def profiles(actor):  # the people whose profile the reader may open, former employees included
            return selectors.employees_visible_to(selectors.viewer_for(actor), status="any").order_by()

        audit.register_target(Employee, links=audit.page_links("org:employee", "employee_id", profiles))
        audit.register_target(Department, links=audit.page_links(
            "org:department-edit", "department_id", lambda actor: Department.objects.all(),
            permission=DEPARTMENT_MANAGE))
        audit.register_target(Branch, links=audit.page_links(
            "org:branch-edit", "branch_id", lambda actor: Branch.objects.all(), permission=BRANCH_MANAGE))

        def settings_links(actor, ids):
            if not actor.can(SETTINGS_MANAGE):
                return {}
            return {pk: reverse("org:settings", kwargs={"workspace_slug": actor.workspace.slug}) for pk in ids}

        audit.register_target(OrgSettings, noun="Self-service settings", label=lambda s: "Self-service fields",
                              links=settings_links)

    @staticmethod
    def register_in_shell():
        """The People group of the sidebar, its dashboard cards, and the top bar's search (of the directory)."""
        from oorg.web import shell

        from . import dashboard
        from .permissions import (
            BRANCH_MANAGE,
            DEPARTMENT_MANAGE,
            DIRECTORY_VIEW,
            EMPLOYEE_IMPORT,
            EMPLOYEE_VIEW_ALL,
            TEAM_VIEW,
        )

        sees_directory = shell.can(DIRECTORY_VIEW, EMPLOYEE_VIEW_ALL)
        sees_dates = shell.can(EMPLOYEE_VIEW_ALL, TEAM_VIEW)  # start and end dates: HR, admins, managers (team)
        people = shell.register_area("people", label="People", icon="users", order=20)
        # Profiles, the new-employee form and the export sit under people/ too: they belong to the directory.
        people.item("Directory", "org:directory", icon="contact", visible=sees_directory, paths=("people/",))
        people.item("Org chart", "org:chart", icon="network", visible=sees_directory, paths=("people/chart/",))
        people.item("Departments", "org:department-list", icon="folder-tree", visible=sees_directory,
                    paths=("people/departments/",))
        people.item("My team", "org:my-team", icon="users-round", visible=shell.can(TEAM_VIEW),
                    paths=("people/my-team/",))
        people.item("Organization", "org:departments", icon="building-2",
                    visible=shell.can(DEPARTMENT_MANAGE, BRANCH_MANAGE, EMPLOYEE_IMPORT), paths=("organization/",))

        people.card("people.headcount", title="Headcount", icon="users", template="org/cards/headcount.html",
                    context=dashboard.headcount, visible=shell.can(DIRECTORY_VIEW, EMPLOYEE_VIEW_ALL, TEAM_VIEW),
                    order=20)
        people.card("people.joiners-leavers", title="Joiners and leavers", icon="user-plus",
                    template="org/cards/joiners_leavers.html", context=dashboard.joiners_and_leavers,
                    visible=sees_dates, order=30)
        people.card("people.birthdays", title="Upcoming birthdays", icon="cake", template="org/cards/birthdays.html",
                    context=dashboard.birthdays, visible=dashboard.sees_birthdays, order=40)
        people.card("people.anniversaries", title="Work anniversaries", icon="award",
                    template="org/cards/anniversaries.html", context=dashboard.anniversaries, visible=sees_dates,
                    order=50)
        shell.register_search("org:directory", label="Search people", visible=sees_directory)
