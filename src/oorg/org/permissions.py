"""Permission names of the people-and-organization area, the built-in roles that hold them, and what the audit
log calls the area's actions."""
from oorg.core import audit
from oorg.core.permissions import register

DIRECTORY_VIEW = register("org.directory.view", "See the employee directory (work contact fields)",
                          roles=("admin", "hr", "manager", "member"))
EMPLOYEE_VIEW_ALL = register("org.employee.view_all", "See every employee's full work profile, terminated included",
                             roles=("admin", "hr"))
EMPLOYEE_VIEW_PERSONAL = register("org.employee.view_personal",
                                  "See employees' personal fields (birth date, home address, emergency contact)",
                                  roles=("admin", "hr"))
EMPLOYEE_EDIT = register("org.employee.edit", "Create, edit and terminate employees", roles=("admin", "hr"))
EMPLOYEE_IMPORT = register("org.employee.import", "Import employees from a spreadsheet", roles=("admin", "hr"))
EMPLOYEE_EXPORT = register("org.employee.export", "Export the directory as a spreadsheet", roles=("admin", "hr"))
TEAM_VIEW = register("org.team.view", "See the work profile of one's direct and indirect reports",
                     roles=("admin", "hr", "manager"))
TEAM_EDIT = register("org.team.edit", "Edit the manager-editable fields of one's reports",
                     roles=("admin", "hr", "manager"))
DEPARTMENT_MANAGE = register("org.department.manage", "Create, move and delete departments", roles=("admin", "hr"))
BRANCH_MANAGE = register("org.branch.manage", "Create, change and delete branches", roles=("admin", "hr"))
SETTINGS_MANAGE = register("org.settings.manage", "Choose the self-service fields employees may edit",
                           roles=("admin", "hr"))

audit.register_actions({
    "org.employee.created": "Employee created",
    "org.employee.updated": "Employee changed",
    "org.employee.terminated": "Employee terminated",
    "org.employee.photo_changed": "Employee photo changed",
    "org.employee.imported": "Employees imported",
    "org.employee.exported": "Directory exported",
    "org.department.created": "Department created",
    "org.department.updated": "Department changed",
    "org.department.deleted": "Department deleted",
    "org.branch.created": "Branch created",
    "org.branch.updated": "Branch changed",
    "org.branch.deleted": "Branch deleted",
    "org.settings.updated": "Self-service fields changed",
}, group="People")
