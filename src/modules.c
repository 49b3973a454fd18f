/* modules.c — the list of modules compiled into nqi. A new module adds its
 * nqi_module here; routes, demo data and migrations follow from it. */
#include "core/app.h"
#include "core/audit.h"
#include "core/auth.h"
#include "standards/standards.h"
#include "standards/tracking.h"
#include "standards/validity.h"
#include "supervision/supervision.h"
#include "trace/trace.h"

extern const nqi_module core_module;
extern const nqi_module credit_module;     /* supervision/credit_http.c */
extern const nqi_module inspection_module; /* supervision/inspection_http.c */

const nqi_module *const nqi_modules[] = {
    &core_module,
    &auth_module,
    &audit_module,
    &standards_module,
    &tracking_module,
    &validity_module,
    &supervision_module,
    &inspection_module,
    &credit_module,
    &trace_module,
    NULL,
};
