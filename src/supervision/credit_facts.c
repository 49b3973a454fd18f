/*
 * credit_facts.c — recording quality-credit facts (see credit.h). Kept apart
 * from the classifier so that inspections, spot checks, penalties and lists
 * depend only on this small contract.
 */
#include <string.h>

#include "core/util.h"
#include "supervision/credit.h"
#include "supervision/credit_code.h"

static bool is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

int credit_fact_add(store_conn *c, const char *credit_code, const char *kind,
                    const char *occurred_on, const char *source, const char *ref,
                    const char *detail, nqi_error *err)
{
    if (!credit_code || !credit_code_valid(credit_code))
        return nqi_error_field(err, NQI_EINVAL, "credit_code",
                               "not a valid unified social credit code (GB 32100)");
    if (!kind || !*kind)
        return nqi_error_field(err, NQI_EINVAL, "kind", "a credit fact needs a kind");
    if (!is_date(occurred_on))
        return nqi_error_field(err, NQI_EINVAL, "occurred_on", "expected YYYY-MM-DD");
    if (!source || !*source)
        return nqi_error_field(err, NQI_EINVAL, "source", "a credit fact needs a source");
    store_val p[] = {SV_TEXT(credit_code), SV_TEXT(kind),        SV_TEXT(occurred_on),
                     SV_TEXT(source),      SV_TEXT(ref ? ref : ""), SV_TEXT(detail ? detail : ""),
                     SV_INT(now_ms())};
    return store_exec(c,
                      "INSERT INTO credit_facts(credit_code, kind, occurred_on, source, ref, detail, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, ref, kind) DO "
                      "UPDATE SET credit_code = excluded.credit_code, occurred_on = "
                      "excluded.occurred_on, detail = excluded.detail, withdrawn_at = NULL",
                      p, 7, NULL, err);
}

int credit_fact_withdraw(store_conn *c, const char *source, const char *ref, nqi_error *err)
{
    store_val p[] = {SV_INT(now_ms()), SV_TEXT(source), SV_TEXT(ref ? ref : "")};
    return store_exec(c,
                      "UPDATE credit_facts SET withdrawn_at = ? WHERE source = ? AND ref = ? AND "
                      "withdrawn_at IS NULL",
                      p, 3, NULL, err);
}
