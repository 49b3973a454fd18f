/* modules.c — the list of modules compiled into nqi. A new module adds its
 * nqi_module here; routes, demo data and migrations follow from it. */
#include "core/app.h"
#include "core/audit.h"
#include "core/auth.h"
#include "standards/standards.h"
#include "standards/tracking.h"
#include "standards/validity.h"
#include "supervision/supervision.h"

extern const nqi_module core_module;

const nqi_module *const nqi_modules[] = {
    &core_module,
    &auth_module,
    &audit_module,
    &standards_module,
    &tracking_module,
    &validity_module,
    &supervision_module,
    NULL,
};
