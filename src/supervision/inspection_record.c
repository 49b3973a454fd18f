/*
 * inspection_record.c — what happens to a task after assignment: the
 * on-site record (findings per item, result category), attachments, the
 * team's signatures (the last one makes the result final: credit fact,
 * publication deadline) and recusal with its replacement. Contract:
 * docs/modules/inspection.md.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "supervision/credit.h"
#include "supervision/inspection_internal.h"
#include "supervision/internal.h"

typedef struct task_state {
    int64_t id;
    char status[16], source[16], assigned_on[11], inspected_on[11], result[24];
    char credit_code[24], *draw_uid, *record_hash, *entity_name;
} task_state;

static void state_free(task_state *s)
{
    free(s->draw_uid);
    free(s->record_hash);
    free(s->entity_name);
}

/* Lock the task (insp_lock) and read its state: every caller writes. */
static int state_load(store_conn *c, int64_t id, task_state *s, nqi_error *err)
{
    memset(s, 0, sizeof *s);
    store_rows *r;
    int rc = insp_lock(c, "inspection_task", id, err);
    if (rc)
        return rc;
    rc = store_query(c,
                         "SELECT status, source, assigned_on, inspected_on, result, credit_code, "
                         "draw_uid, record_hash, entity_name FROM inspection_tasks WHERE id = ?",
                         (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        s->id = id;
        snprintf(s->status, sizeof s->status, "%s", store_text(r, 0));
        snprintf(s->source, sizeof s->source, "%s", store_text(r, 1));
        snprintf(s->assigned_on, sizeof s->assigned_on, "%s", store_text(r, 2));
        snprintf(s->inspected_on, sizeof s->inspected_on, "%s",
                 store_isnull(r, 3) ? "" : store_text(r, 3));
        snprintf(s->result, sizeof s->result, "%s", store_isnull(r, 4) ? "" : store_text(r, 4));
        snprintf(s->credit_code, sizeof s->credit_code, "%s", store_text(r, 5));
        s->draw_uid = store_isnull(r, 6) ? NULL : xstrdup(store_text(r, 6));
        s->record_hash = store_isnull(r, 7) ? NULL : xstrdup(store_text(r, 7));
        s->entity_name = xstrdup(store_text(r, 8));
        rc = 0;
    } else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "inspection task %lld not found",
                             (long long)id);
    else
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc;
}

static bool open_status(const task_state *s)
{
    return !strcmp(s->status, "assigned") || !strcmp(s->status, "recorded");
}

static int not_open(const task_state *s, nqi_error *err)
{
    return nqi_error_set(err, NQI_ECONFLICT,
                         "inspection task %lld is %s: its record is final", (long long)s->id,
                         s->status);
}

/* Audit with the task as it is now. */
static int audit_task(store_conn *c, const http_principal *actor, const char *action, int64_t id,
                      json_t *extra, nqi_error *err)
{
    json_t *j = NULL;
    int rc = insp_task_json(c, id, true, &j, err);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!rc && extra)
        json_object_update(j, extra);
    if (!rc)
        rc = audit_record(c, actor, action, "inspection_task", ids, NULL, j, err);
    json_decref(j);
    return rc;
}

/* ---------------------------------------------------------------- hash */

int insp_task_rehash(store_conn *c, int64_t id, nqi_error *err)
{
    json_t *t = NULL;
    int rc = insp_task_json(c, id, true, &t, err);
    if (rc)
        return rc;
    /* what the team confirms: the record's content and the files' hashes */
    json_t *files = json_array(), *att = json_object_get(t, "attachments");
    for (size_t i = 0; i < json_array_size(att); i++)
        json_array_append(files, json_object_get(json_array_get(att, i), "sha256"));
    json_t *doc = json_pack("{s:s, s:I, s:O, s:O, s:O, s:O, s:O, s:o}", "format",
                            "nqi-inspection-record/v1", "task_id", (json_int_t)id, "credit_code",
                            json_object_get(t, "credit_code"), "inspected_on",
                            json_object_get(t, "inspected_on"), "result",
                            json_object_get(t, "result"), "summary",
                            json_object_get(t, "summary"), "findings",
                            json_object_get(t, "findings"), "attachments", files);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    char hash[65];
    auth_sha256_hex(text, strlen(text), hash);
    free(text);
    json_decref(doc);
    json_decref(t);
    rc = store_exec(c, "UPDATE inspection_tasks SET record_hash = ?, updated_at = ? WHERE id = ?",
                    (store_val[]){SV_TEXT(hash), SV_INT(now_ms()), SV_INT(id)}, 3, NULL, err);
    if (!rc)
        rc = store_exec(c,
                        "UPDATE inspection_members SET signed_at = NULL, signed_hash = NULL "
                        "WHERE task_id = ?",
                        (store_val[]){SV_INT(id)}, 1, NULL, err);
    return rc;
}

/* ---------------------------------------------------------------- record */

/* findings[] against the task's items and the result category. */
static int findings_check(store_conn *c, int64_t id, json_t *fs, const char *result,
                          nqi_error *err)
{
    int64_t nitems = 0;
    int rc = store_query_int(c, "SELECT COUNT(*) FROM inspection_findings WHERE task_id = ?",
                             (store_val[]){SV_INT(id)}, 1, &nitems, err);
    if (rc)
        return rc;
    if (!json_is_array(fs) || (int64_t)json_array_size(fs) != nitems)
        return nqi_error_field(err, NQI_EINVAL, "findings",
                               "one finding for each of the task's %lld inspection item(s)",
                               (long long)nitems);
    bool lenient = result && (!strcmp(result, "unreachable") || !strcmp(result, "refused"));
    int nonconf = 0;
    for (size_t i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        static const char *const allowed[] = {"item_id", "conforms", "finding", NULL};
        char p[160];
        int64_t item = 0;
        const char *text = NULL;
        nqi_error e = {0};
        if (!json_is_object(f) || json_check_fields(f, allowed, &e) ||
            json_get_int(f, "item_id", true, 1, INT64_MAX, &item, &e) ||
            json_get_str(f, "finding", false, 2000, &text, &e)) {
            snprintf(p, sizeof p, "findings/%zu%s%s", i, e.nfields ? "/" : "",
                     e.nfields ? e.fields[0].field : "");
            nqi_error_field(err, NQI_EINVAL, p, "%s",
                            e.nfields ? e.fields[0].message : "an object {item_id, conforms, finding}");
            continue;
        }
        int64_t known = 0;
        store_query_int(c,
                        "SELECT COUNT(*) FROM inspection_findings WHERE task_id = ? AND item_id = ?",
                        (store_val[]){SV_INT(id), SV_INT(item)}, 2, &known, &e);
        for (size_t k = 0; k < i; k++)
            if (json_integer_value(json_object_get(json_array_get(fs, k), "item_id")) == item)
                known = -1;
        snprintf(p, sizeof p, "findings/%zu/item_id", i);
        if (known <= 0)
            nqi_error_field(err, NQI_EINVAL, p,
                            known < 0 ? "item %lld listed twice"
                                      : "item %lld is not one of the task's items",
                            (long long)item);
        json_t *cf = json_object_get(f, "conforms");
        snprintf(p, sizeof p, "findings/%zu/conforms", i);
        if (cf && !json_is_boolean(cf) && !json_is_null(cf))
            nqi_error_field(err, NQI_EINVAL, p, "true, false or null");
        else if ((!cf || json_is_null(cf)) && !lenient)
            nqi_error_field(err, NQI_EINVAL, p,
                            "required (only an unreachable or refused inspection leaves items "
                            "unassessed)");
        else if (json_is_false(cf))
            nonconf++;
        if (json_is_false(cf) && (!text || !*text)) {
            snprintf(p, sizeof p, "findings/%zu/finding", i);
            nqi_error_field(err, NQI_EINVAL, p, "describe what does not conform");
        }
    }
    if (err->code || !result)
        return err->code;
    if (!strcmp(result, "normal") && nonconf)
        return nqi_error_field(err, NQI_EINVAL, "result",
                               "normal, but %d item(s) do not conform", nonconf);
    if (!lenient && strcmp(result, "normal") && !nonconf)
        return nqi_error_field(err, NQI_EINVAL, "result",
                               "%s needs at least one non-conforming item", result);
    return 0;
}

int insp_task_record(store_conn *c, const http_principal *actor, int64_t id, json_t *in,
                     json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"inspected_on", "result", "summary", "findings", NULL};
    *out = NULL;
    if (json_check_fields(in, allowed, err))
        return err->code;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    task_state s;
    if ((rc = state_load(c, id, &s, err)))
        return store_tx_end(c, own, rc, err);
    if (!open_status(&s))
        rc = not_open(&s, err);
    if (!rc)
        rc = insp_may_record(c, actor, id, err);
    char on[11];
    const char *result = NULL, *summary = "";
    if (!rc) {
        insp_json_date(in, "inspected_on", NULL, false, on, err);
        if (!err->code && strcmp(on, s.assigned_on) < 0)
            nqi_error_field(err, NQI_EINVAL, "inspected_on",
                            "before the task was assigned (%s)", s.assigned_on);
        json_get_str(in, "result", true, 24, &result, err);
        if (result && !insp_result_ok(result)) {
            nqi_error_field(err, NQI_EINVAL, "result",
                            "one of normal, not_published, false_info, unreachable, "
                            "ordered_to_correct, refused");
            result = NULL;
        }
        json_get_str(in, "summary", false, 2000, &summary, err);
        findings_check(c, id, json_object_get(in, "findings"), result, err);
        rc = err->code;
    }
    json_t *fs = json_object_get(in, "findings");
    for (size_t i = 0; !rc && i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i), *cf = json_object_get(f, "conforms");
        const char *text = json_string_value(json_object_get(f, "finding"));
        rc = store_exec(c,
                        "UPDATE inspection_findings SET conforms = ?, finding = ? WHERE task_id = "
                        "? AND item_id = ?",
                        (store_val[]){json_is_boolean(cf) ? SV_INT(json_is_true(cf)) : SV_NULL,
                                      SV_TEXT(text ? text : ""), SV_INT(id),
                                      SV_INT(json_integer_value(json_object_get(f, "item_id")))},
                        4, NULL, err);
    }
    if (!rc)
        rc = store_exec(c,
                        "UPDATE inspection_tasks SET status = 'recorded', inspected_on = ?, "
                        "result = ?, summary = ?, updated_at = ? WHERE id = ?",
                        (store_val[]){SV_TEXT(on), SV_TEXT(result), SV_TEXT(summary),
                                      SV_INT(now_ms()), SV_INT(id)},
                        5, NULL, err);
    if (!rc)
        rc = insp_task_rehash(c, id, err);
    if (!rc)
        rc = audit_task(c, actor, "inspection.record", id, NULL, err);
    state_free(&s);
    rc = store_tx_end(c, own, rc, err);
    return rc ? rc : insp_task_json(c, id, true, out, err);
}

/* ---------------------------------------------------------------- sign */

static int complete(store_conn *c, const task_state *s, nqi_error *err)
{
    char due[11];
    int rc = calendar_deadline(c, s->inspected_on, INSP_PUBLISH_WORKING_DAYS, "inspected_on", due,
                               err);
    if (!rc)
        rc = store_exec(c,
                        "UPDATE inspection_tasks SET status = 'completed', completed_on = ?, "
                        "publish_due = ?, updated_at = ? WHERE id = ?",
                        (store_val[]){SV_TEXT(s->inspected_on), SV_TEXT(due), SV_INT(now_ms()),
                                      SV_INT(s->id)},
                        4, NULL, err);
    char kind[48], ref[24], *detail = NULL;
    snprintf(kind, sizeof kind, "inspection.%s", s->result);
    snprintf(ref, sizeof ref, "%lld", (long long)s->id);
    detail = xasprintf("%s检查：%s", !strcmp(s->source, "draw") ? "双随机抽查" : "专项",
                       insp_result_label(s->result));
    if (!rc)
        rc = credit_fact_add(c, s->credit_code, kind, s->inspected_on, "inspection", ref, detail,
                             err);
    free(detail);
    return rc;
}

int insp_task_sign(store_conn *c, const http_principal *actor, int64_t id,
                   const char *inspector_code, const char *record_hash, json_t **out,
                   nqi_error *err)
{
    *out = NULL;
    if (!record_hash || strlen(record_hash) != 64)
        return nqi_error_field(err, NQI_EINVAL, "record_hash",
                               "the record_hash you confirm (64 hex characters)");
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    task_state s;
    if ((rc = state_load(c, id, &s, err)))
        return store_tx_end(c, own, rc, err);
    if (!inspector_code || !insp_is_member(c, id, inspector_code))
        rc = nqi_error_set(err, NQI_EFORBIDDEN,
                           "only the task's team members sign its record (an inspector account "
                           "named after the inspector code)");
    else if (strcmp(s.status, "recorded"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "inspection task %lld is %s: %s", (long long)id,
                           s.status,
                           !strcmp(s.status, "assigned") ? "nothing recorded to sign yet"
                                                         : "already signed by the whole team");
    else if (!s.record_hash || strcmp(s.record_hash, record_hash))
        rc = nqi_error_field(err, NQI_ECONFLICT, "record_hash",
                             "the record changed since you read it (now %s): read it again",
                             s.record_hash ? s.record_hash : "none");
    if (!rc)
        rc = store_exec(c,
                        "UPDATE inspection_members SET signed_at = ?, signed_hash = ? WHERE "
                        "task_id = ? AND inspector_code = ? AND signed_at IS NULL",
                        (store_val[]){SV_INT(now_ms()), SV_TEXT(record_hash), SV_INT(id),
                                      SV_TEXT(inspector_code)},
                        4, NULL, err);
    int64_t unsigned_n = 1;
    if (!rc)
        rc = store_query_int(c,
                             "SELECT COUNT(*) FROM inspection_members WHERE task_id = ? AND "
                             "signed_at IS NULL",
                             (store_val[]){SV_INT(id)}, 1, &unsigned_n, err);
    if (!rc && unsigned_n == 0)
        rc = complete(c, &s, err);
    if (!rc) {
        json_t *x = json_pack("{s:s, s:s}", "signed_by", inspector_code, "signed_hash",
                              record_hash);
        rc = audit_task(c, actor, unsigned_n ? "inspection.sign" : "inspection.complete", id, x,
                        err);
        json_decref(x);
    }
    state_free(&s);
    rc = store_tx_end(c, own, rc, err);
    return rc ? rc : insp_task_json(c, id, true, out, err);
}

/* ---------------------------------------------------------------- recusal */

/* The draw's team for this target after the redraw replaces the task's. */
static int team_from_draw(store_conn *c, int64_t id, const json_t *draw, const char *code,
                          nqi_error *err)
{
    json_t *tg = json_object_get(draw, "targets");
    for (size_t i = 0; i < json_array_size(tg); i++) {
        json_t *x = json_array_get(tg, i);
        if (strcmp(json_string_value(json_object_get(x, "credit_code")), code))
            continue;
        int rc = store_exec(c, "DELETE FROM inspection_members WHERE task_id = ?",
                            (store_val[]){SV_INT(id)}, 1, NULL, err);
        json_t *team = json_object_get(x, "team");
        for (size_t k = 0; !rc && k < json_array_size(team); k++)
            rc = store_exec(c,
                            "INSERT INTO inspection_members (task_id, inspector_code, seq) "
                            "VALUES (?, ?, ?)",
                            (store_val[]){SV_INT(id),
                                          SV_TEXT(json_string_value(
                                              json_object_get(json_array_get(team, k), "id"))),
                                          SV_INT((int64_t)k)},
                            3, NULL, err);
        return rc;
    }
    return nqi_error_set(err, NQI_EINTERNAL, "target %s not in the draw", code);
}

int insp_task_recuse(store_conn *c, const http_principal *actor, int64_t id, const char *inspector,
                     const char *reason, const char *replacement, json_t **out, nqi_error *err)
{
    *out = NULL;
    if (!inspector || !*inspector)
        nqi_error_field(err, NQI_EINVAL, "inspector_id", "the recusing inspector's code");
    if (!reason || !*reason || utf8_count(reason) > 500)
        nqi_error_field(err, NQI_EINVAL, "reason", "required, at most 500 characters");
    if (err->code)
        return err->code;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    task_state s;
    if ((rc = state_load(c, id, &s, err)))
        return store_tx_end(c, own, rc, err);
    json_t *draw = NULL;
    if (!open_status(&s))
        rc = not_open(&s, err);
    else if (!insp_is_member(c, id, inspector))
        rc = nqi_error_field(err, NQI_ENOTFOUND, "inspector_id", "%s is not on this task's team",
                             inspector);
    else if (s.draw_uid && replacement)
        rc = nqi_error_field(err, NQI_EINVAL, "replacement",
                             "a drawn team's replacement is drawn from the draw's roster, not "
                             "chosen");
    else if (!s.draw_uid && (!replacement || !*replacement))
        rc = nqi_error_field(err, NQI_EINVAL, "replacement",
                             "the replacing inspector's code (complaint/lead tasks are assigned "
                             "by hand)");
    else if (!s.draw_uid && insp_is_member(c, id, replacement))
        rc = nqi_error_field(err, NQI_EINVAL, "replacement", "%s is already on the team",
                             replacement);
    else if (!s.draw_uid)
        rc = insp_officer_check(c, replacement, s.credit_code, "replacement", err);
    if (!rc && s.draw_uid) {
        rc = supervision_draw_redraw(c, actor, s.draw_uid, s.credit_code, inspector, reason,
                                     &draw, err);
        if (!rc)
            rc = team_from_draw(c, id, draw, s.credit_code, err);
    } else if (!rc)
        rc = store_exec(c,
                        "UPDATE inspection_members SET inspector_code = ? WHERE task_id = ? AND "
                        "inspector_code = ?",
                        (store_val[]){SV_TEXT(replacement), SV_INT(id), SV_TEXT(inspector)}, 3,
                        NULL, err);
    /* the team changed: earlier signatures no longer stand for it */
    if (!rc)
        rc = store_exec(c,
                        "UPDATE inspection_members SET signed_at = NULL, signed_hash = NULL "
                        "WHERE task_id = ?",
                        (store_val[]){SV_INT(id)}, 1, NULL, err);
    if (!rc) {
        json_t *x = json_pack("{s:{s:s, s:s, s:s?}}", "recusal", "recused", inspector, "reason",
                              reason, "replacement", replacement);
        rc = audit_task(c, actor, "inspection.recuse", id, x, err);
        json_decref(x);
    }
    json_decref(draw);
    state_free(&s);
    rc = store_tx_end(c, own, rc, err);
    return rc ? rc : insp_task_json(c, id, true, out, err);
}

/* ---------------------------------------------------------------- attachments */

static bool magic_ok(const char *ct, const char *d, size_t n)
{
    if (!strcmp(ct, "application/pdf"))
        return n >= 5 && !memcmp(d, "%PDF-", 5);
    if (!strcmp(ct, "image/png"))
        return n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8);
    return n >= 3 && !memcmp(d, "\xff\xd8\xff", 3); /* image/jpeg */
}

static bool name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 200 || !utf8_valid(s, strlen(s)))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || *p == '"')
            return false;
    return true;
}

int insp_attachment_add(store_conn *c, const http_principal *actor, int64_t task_id,
                        const char *name, const char *ct, const char *data, size_t len,
                        json_t **out, nqi_error *err)
{
    *out = NULL;
    if (!ct || (strcmp(ct, "application/pdf") && strcmp(ct, "image/jpeg") &&
                strcmp(ct, "image/png")))
        return nqi_error_set(err, NQI_EMEDIA,
                             "Content-Type must be application/pdf, image/jpeg or image/png");
    if (!len)
        return nqi_error_field(err, NQI_EBADREQ, "body", "empty file");
    if (len > INSP_ATTACHMENT_MAX)
        return nqi_error_set(err, NQI_ETOOBIG, "an attachment is at most %zu bytes",
                             INSP_ATTACHMENT_MAX);
    if (!name_ok(name))
        return nqi_error_field(err, NQI_EINVAL, "name",
                               "a file name of 1-200 bytes without / \\ \" or control characters");
    if (!magic_ok(ct, data, len))
        return nqi_error_field(err, NQI_EINVAL, "body", "the file's content is not %s", ct);
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    task_state s;
    if ((rc = state_load(c, task_id, &s, err)))
        return store_tx_end(c, own, rc, err);
    if (!open_status(&s))
        rc = not_open(&s, err);
    if (!rc)
        rc = insp_may_record(c, actor, task_id, err);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65], who[64];
    crypto_hash_sha256(h, (const unsigned char *)data, len);
    hex_encode(h, sizeof h, hex);
    sup_actor_name(actor, who, sizeof who);
    size_t blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = rc ? NULL : xmalloc(blen);
    if (b64)
        sodium_bin2base64(b64, blen, (const unsigned char *)data, len,
                          sodium_base64_VARIANT_ORIGINAL);
    int64_t aid = 0, now = now_ms();
    if (!rc)
        rc = store_query_int(c,
                             "INSERT INTO inspection_attachments (task_id, name, content_type, "
                             "size, sha256, content_b64, uploaded_by, uploaded_at) VALUES (?, ?, "
                             "?, ?, ?, ?, ?, ?) RETURNING id",
                             (store_val[]){SV_INT(task_id), SV_TEXT(name), SV_TEXT(ct),
                                           SV_INT((int64_t)len), SV_TEXT(hex), SV_TEXT(b64),
                                           SV_TEXT(who), SV_INT(now)},
                             8, &aid, err);
    free(b64);
    if (!rc && !strcmp(s.status, "recorded"))
        rc = insp_task_rehash(c, task_id, err);
    char at[32], u[96];
    snprintf(u, sizeof u, "/api/v1/inspections/%lld/attachments/%lld", (long long)task_id,
             (long long)aid);
    json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)aid,
                          "name", name, "content_type", ct, "size", (json_int_t)len, "sha256",
                          hex, "uploaded_by", who, "uploaded_at", time_iso8601(now, at, 32),
                          "url", u);
    if (!rc) {
        json_t *x = json_pack("{s:O}", "attachment", j);
        rc = audit_task(c, actor, "inspection.attachment", task_id, x, err);
        json_decref(x);
    }
    state_free(&s);
    rc = store_tx_end(c, own, rc, err);
    if (rc)
        json_decref(j);
    else
        *out = j;
    return rc;
}

int insp_attachment_get(store_conn *c, int64_t task_id, int64_t id, char **data, size_t *len,
                        char **ct, char **name, nqi_error *err)
{
    *data = *ct = *name = NULL;
    *len = 0;
    store_rows *r;
    int rc = store_query(c,
                         "SELECT name, content_type, content_b64, size FROM "
                         "inspection_attachments WHERE id = ? AND task_id = ?",
                         (store_val[]){SV_INT(id), SV_INT(task_id)}, 2, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        const char *b64 = store_text(r, 2);
        size_t cap = (size_t)store_int(r, 3) + 1;
        *data = xmalloc(cap);
        if (sodium_base642bin((unsigned char *)*data, cap, b64, strlen(b64), NULL, len, NULL,
                              sodium_base64_VARIANT_ORIGINAL)) {
            rc = nqi_error_set(err, NQI_EINTERNAL, "attachment %lld is damaged", (long long)id);
            free(*data);
            *data = NULL;
        } else {
            *name = xstrdup(store_text(r, 0));
            *ct = xstrdup(store_text(r, 1));
            rc = 0;
        }
    } else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "attachment_id", "attachment %lld not found",
                             (long long)id);
    else
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc;
}
