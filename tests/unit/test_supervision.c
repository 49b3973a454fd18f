/*
 * test_supervision.c — directories and stored draws (src/supervision/
 * directory.c, draws.c) on a temporary SQLite database: CSV import with
 * row-level errors (all or nothing), the committed -> drawn -> revealed
 * state machine, the seed kept out of every public rendering before the
 * reveal, verification of the bundle (and of a tampered one), and plans
 * that must be refused without writing anything.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/auth.h"
#include "core/util.h"
#include "fixture.h"
#include "supervision/credit_code.h"
#include "supervision/supervision.h"

typedef struct fx {
    test_db db;
    http_principal p;
    int64_t item;
} fx;

/* Valid credit code i in division 350102. */
static void code(int i, char out[19])
{
    snprintf(out, 19, "91350102MA%07d", 2000 + i);
    out[17] = credit_code_check_char(out);
    out[18] = 0;
}

static char *entities_csv(int n, const char *classes)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "统一社会信用代码,企业名称,行业,区划代码,登记状态,信用等级\n");
    for (int i = 0; i < n; i++) {
        char c[19];
        code(i, c);
        buf_printf(&b, "%s,福州鼓楼質量%d号食品有限公司,食品销售,350102,存续,%c\n", c, i,
                   classes[i % strlen(classes)]);
    }
    return buf_steal(&b);
}

static int import(fx *f, sup_dir d, const char *csv, sup_import_report *rep)
{
    nqi_error err = {0};
    return supervision_import(f->db.c, &f->p, d, csv, strlen(csv), false, rep, &err);
}

static int64_t count(fx *f, const char *table)
{
    char *sql = xasprintf("SELECT COUNT(*) FROM %s", table);
    int64_t n = test_db_int(&f->db, sql);
    free(sql);
    return n;
}

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    test_db_open(&f->db, "sup");
    nqi_error err = {0};
    auth_cli_principal(&f->p);
    sup_import_report rep;
    char *csv = entities_csv(40, "ABBBCCD");
    assert_int_equal(import(f, SUP_ENTITIES, csv, &rep), 0);
    assert_int_equal(rep.inserted, 40);
    supervision_import_report_free(&rep);
    free(csv);
    char c0[19];
    code(0, c0);
    char *insp = xasprintf("id,name,department,region,fields,active,conflicts\n"
                           "I1,陈明,鼓楼分局,350102,食品销售,1,%s:亲属任职\n"
                           "I2,林芳,鼓楼分局,350102,食品销售,1,\n"
                           "I3,黄伟,鼓楼分局,350102,食品销售,1,\n"
                           "I4,郑丽,鼓楼分局,350102,食品销售,0,\n",
                           c0);
    assert_int_equal(import(f, SUP_INSPECTORS, insp, &rep), 0);
    supervision_import_report_free(&rep);
    free(insp);
    json_t *in = json_pack("{s:s, s:s, s:f}", "name", "食品销售者监督检查", "kind", "key",
                           "default_proportion", 10.0),
           *out = NULL;
    assert_int_equal(supervision_item_create(f->db.c, &f->p, in, &out, &err), 0);
    f->item = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    test_db_close(&f->db);
    free(f);
    return 0;
}

static json_t *plan(fx *f, double b, int team)
{
    return json_pack("{s:s, s:[I], s:{s:s}, s:{s:f, s:f, s:f, s:f}, s:i, s:s, s:s}", "name",
                     "测试抽查", "item_ids", (json_int_t)f->item, "filter", "region", "3501",
                     "strata", "A", 50.0, "B", b, "C", 30.0, "D", 100.0, "team_size", team,
                     "region_rule", "lead", "field_rule", "all");
}

static bool has_field(const nqi_error *e, const char *prefix)
{
    for (int i = 0; i < e->nfields; i++)
        if (!strncmp(e->fields[i].field, prefix, strlen(prefix)))
            return true;
    return false;
}

static void test_import_rejects_bad_code(void **state)
{
    fx *f = *state;
    char good[19], bad[19];
    code(100, good);
    code(101, bad);
    bad[17] = bad[17] == '0' ? '1' : '0'; /* wrong check character */
    char *csv = xasprintf("credit_code,name,region\n%s,好,350102\n%s,坏,350102\n%s,重复,350102\n",
                          good, bad, good);
    int64_t before = count(f, "entities");
    sup_import_report rep;
    assert_int_equal(import(f, SUP_ENTITIES, csv, &rep), NQI_EINVAL);
    assert_int_equal(rep.nerrors, 2);
    assert_int_equal(rep.errors[0].row, 2);
    assert_string_equal(rep.errors[0].field, "credit_code");
    assert_non_null(strstr(rep.errors[0].message, "check character"));
    assert_int_equal(rep.errors[1].row, 3);
    assert_non_null(strstr(rep.errors[1].message, "duplicate of row 1"));
    assert_int_equal(count(f, "entities"), before); /* nothing written */
    supervision_import_report_free(&rep);
    free(csv);
}

static void test_state_machine_and_secrecy(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    unsigned char seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (unsigned char)(0xa0 + i);
    char seed_hex[65];
    hex_encode(seed, 32, seed_hex);
    json_t *p = plan(f, 40, 2), *d = NULL;
    assert_int_equal(supervision_draw_create(f->db.c, &f->p, p, seed, &d, &err), 0);
    json_decref(p);
    char uid[72];
    snprintf(uid, sizeof uid, "%s", json_string_value(json_object_get(d, "id")));
    assert_string_equal(json_string_value(json_object_get(d, "status")), "committed");
    json_decref(d);

    /* every rendering before the reveal, and the audit log and the Merkle
     * log, are free of the seed */
    const char *stage[] = {"committed", "drawn"};
    for (int s = 0; s < 2; s++) {
        if (s == 1) {
            assert_int_equal(supervision_draw_run(f->db.c, &f->p, uid, NULL, &d, &err), 0);
            assert_string_equal(json_string_value(json_object_get(d, "status")), "drawn");
            json_decref(d);
            /* drawing twice is a conflict */
            nqi_error e2 = {0};
            assert_int_equal(supervision_draw_run(f->db.c, &f->p, uid, NULL, &d, &e2),
                             NQI_ECONFLICT);
        }
        json_t *views[5] = {0};
        assert_int_equal(supervision_draw_get(f->db.c, uid, false, &views[0], &err), 0);
        assert_int_equal(supervision_draw_get(f->db.c, uid, true, &views[1], &err), 0);
        assert_int_equal(supervision_draw_bundle(f->db.c, uid, &views[2], &err), 0);
        assert_int_equal(supervision_draw_verification(f->db.c, uid, &views[3], &err), 0);
        assert_int_equal(supervision_draw_list(f->db.c, 50, 0, &views[4], &err), 0);
        assert_true(json_is_true(json_object_get(views[3], "verified")));
        assert_false(json_is_true(json_object_get(views[3], "complete")));
        for (int i = 0; i < 5; i++) {
            char *txt = json_dumps(views[i], 0);
            if (strstr(txt, seed_hex))
                fail_msg("seed served in view %d while %s", i, stage[s]);
            free(txt);
            json_decref(views[i]);
        }
        char *a = NULL;
        assert_int_equal(store_query_text(f->db.c,
                                          "SELECT COALESCE(MAX(after_json), '') || "
                                          "COUNT(*) FROM audit_log WHERE after_json LIKE ?",
                                          (store_val[]){SV_TEXT("%"
                                                                "a0a1a2a3"
                                                                "%")},
                                          1, &a, &err),
                         0);
        assert_string_equal(a, "0");
        free(a);
        int64_t n = -1;
        assert_int_equal(store_query_int(f->db.c,
                                         "SELECT COUNT(*) FROM publog_leaves WHERE "
                                         "CAST(data AS TEXT) LIKE ?",
                                         (store_val[]){SV_TEXT("%a0a1a2a3%")}, 1, &n, &err),
                         0);
        assert_int_equal(n, 0);
    }
    assert_int_equal(supervision_draw_reveal(f->db.c, &f->p, uid, &d, &err), 0);
    assert_string_equal(json_string_value(json_object_get(d, "status")), "revealed");
    assert_string_equal(json_string_value(json_object_get(d, "seed")), seed_hex);
    json_t *targets = json_object_get(d, "targets");
    assert_true(json_array_size(targets) >= 4);
    char c0[19];
    code(0, c0);
    size_t i;
    json_t *t;
    json_array_foreach(targets, i, t)
    {
        json_t *team = json_object_get(t, "team");
        assert_int_equal(json_array_size(team), 2);
        for (size_t k = 0; k < 2; k++) {
            const char *id = json_string_value(json_object_get(json_array_get(team, k), "id"));
            assert_string_not_equal(id, "I4"); /* inactive */
            if (!strcmp(json_string_value(json_object_get(t, "credit_code")), c0))
                assert_string_not_equal(id, "I1"); /* declared conflict */
        }
    }
    /* reveal twice: conflict */
    json_decref(d);
    nqi_error e3 = {0};
    assert_int_equal(supervision_draw_reveal(f->db.c, &f->p, uid, &d, &e3), NQI_ECONFLICT);

    /* the bundle verifies; a tampered one names the pool */
    json_t *b = NULL, *rep = NULL;
    assert_int_equal(supervision_draw_bundle(f->db.c, uid, &b, &err), 0);
    assert_int_equal(supervision_bundle_verify(b, &rep, &err), 0);
    assert_true(json_is_true(json_object_get(rep, "verified")));
    assert_true(json_is_true(json_object_get(rep, "complete")));
    json_decref(rep);
    char *pool = xstrdup(json_string_value(json_object_get(b, "pool")));
    char *bar = strchr(pool, '|');
    bar[1] = bar[1] == 'A' ? 'B' : 'A';
    json_object_set_new(b, "pool", json_string(pool));
    free(pool);
    assert_int_equal(supervision_bundle_verify(b, &rep, &err), 0);
    assert_false(json_is_true(json_object_get(rep, "verified")));
    json_t *ch = json_array_get(json_object_get(rep, "checks"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "name")), "pool_hash");
    assert_non_null(strstr(json_string_value(json_object_get(ch, "message")),
                           "pool changed after the commitment"));
    json_decref(rep);
    json_decref(b);

    /* the stored pool edited in the database: verification says so */
    assert_int_equal(store_exec(f->db.c,
                                "UPDATE draws SET pool_text = REPLACE(pool_text, '|C|', "
                                "'|A|') WHERE uid = ?",
                                (store_val[]){SV_TEXT(uid)}, 1, NULL, &err),
                     0);
    assert_int_equal(supervision_draw_verification(f->db.c, uid, &rep, &err), 0);
    assert_false(json_is_true(json_object_get(rep, "verified")));
    json_decref(rep);
    int64_t events = -1;
    assert_int_equal(store_query_int(f->db.c,
                                     "SELECT COUNT(*) FROM draw_events e JOIN draws d ON "
                                     "d.id = e.draw_id WHERE d.uid = ?",
                                     (store_val[]){SV_TEXT(uid)}, 1, &events, &err),
                     0);
    assert_int_equal(events, 3); /* commit, draw, reveal */
}

static void test_changed_pool_refused_at_run(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *p = plan(f, 40, 2), *d = NULL;
    assert_int_equal(supervision_draw_create(f->db.c, &f->p, p, NULL, &d, &err), 0);
    json_decref(p);
    char uid[72];
    snprintf(uid, sizeof uid, "%s", json_string_value(json_object_get(d, "id")));
    json_decref(d);
    assert_int_equal(store_exec(f->db.c, "UPDATE entities SET credit_class = 'D' WHERE id = 1",
                                NULL, 0, NULL, &err),
                     0);
    assert_int_equal(supervision_draw_run(f->db.c, &f->p, uid, NULL, &d, &err), NQI_ECONFLICT);
    assert_true(has_field(&err, "pool_hash"));
    assert_non_null(strstr(err.message, "pool changed after the commitment"));
    assert_int_equal(supervision_draw_get(f->db.c, uid, true, &d, &err), 0);
    assert_string_equal(json_string_value(json_object_get(d, "status")), "committed");
    json_decref(d);
    json_t *v = NULL;
    assert_int_equal(supervision_draw_verification(f->db.c, uid, &v, &err), 0);
    assert_false(json_is_true(json_object_get(v, "verified")));
    json_decref(v);
}

static void test_bad_plans_write_nothing(void **state)
{
    fx *f = *state;
    int64_t draws = count(f, "draws"), leaves = count(f, "publog_leaves");
    nqi_error err = {0};
    json_t *d = NULL, *p = plan(f, 100.5, 2);
    assert_int_equal(supervision_draw_create(f->db.c, &f->p, p, NULL, &d, &err), NQI_EINVAL);
    assert_true(has_field(&err, "strata/B"));
    json_decref(p);
    nqi_error_clear(&err);
    p = plan(f, -1, 2);
    assert_int_equal(supervision_draw_create(f->db.c, &f->p, p, NULL, &d, &err), NQI_EINVAL);
    assert_true(has_field(&err, "strata/B"));
    json_decref(p);
    /* three active inspectors, one conflicted with entity 0: no team of 3 for it */
    nqi_error_clear(&err);
    p = plan(f, 40, 3);
    assert_int_equal(supervision_draw_create(f->db.c, &f->p, p, NULL, &d, &err), NQI_EINVAL);
    char c0[19], field[64];
    code(0, c0);
    snprintf(field, sizeof field, "targets/%s/team", c0);
    assert_true(has_field(&err, field));
    assert_non_null(strstr(err.message, c0));
    json_decref(p);
    nqi_error_clear(&err);
    p = plan(f, 40, 2);
    json_object_set_new(p, "item_ids", json_pack("[i]", 424242));
    assert_int_equal(supervision_draw_create(f->db.c, &f->p, p, NULL, &d, &err), NQI_EINVAL);
    assert_true(has_field(&err, "item_ids/0"));
    json_decref(p);
    assert_null(d);
    assert_int_equal(count(f, "draws"), draws);
    assert_int_equal(count(f, "publog_leaves"), leaves);
    assert_false(store_in_tx(f->db.c));
}

static void test_redraw_keeps_history(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *p = plan(f, 40, 2), *d = NULL;
    assert_int_equal(supervision_draw_create(f->db.c, &f->p, p, NULL, &d, &err), 0);
    json_decref(p);
    char uid[72];
    snprintf(uid, sizeof uid, "%s", json_string_value(json_object_get(d, "id")));
    json_decref(d);
    assert_int_equal(supervision_draw_redraw(f->db.c, &f->p, uid, "x", "I1", "r", &d, &err),
                     NQI_ECONFLICT); /* not drawn yet */
    nqi_error_clear(&err);
    assert_int_equal(supervision_draw_run(f->db.c, &f->p, uid, NULL, &d, &err), 0);
    json_t *t = json_array_get(json_object_get(d, "targets"), 0);
    char target[24], who[16];
    snprintf(target, sizeof target, "%s", json_string_value(json_object_get(t, "credit_code")));
    snprintf(who, sizeof who, "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(t, "team"), 1), "id")));
    json_decref(d);
    /* the team of 2 out of 3 active (minus conflicts) leaves at most one replacement */
    int rc =
        supervision_draw_redraw(f->db.c, &f->p, uid, target, who, "申请回避：近亲属", &d, &err);
    if (rc == 0) {
        json_t *r = json_array_get(json_object_get(d, "redraws"), 0);
        assert_string_equal(json_string_value(json_object_get(r, "recused")), who);
        assert_string_equal(json_string_value(json_object_get(r, "reason")), "申请回避：近亲属");
        json_decref(d);
        json_t *v = NULL;
        assert_int_equal(supervision_draw_verification(f->db.c, uid, &v, &err), 0);
        assert_true(json_is_true(json_object_get(v, "verified")));
        json_decref(v);
    } else {
        assert_int_equal(rc, NQI_EINVAL); /* no eligible replacement: nothing recorded */
    }
    nqi_error_clear(&err);
    assert_int_equal(supervision_draw_redraw(f->db.c, &f->p, uid, target, "nobody", "r", &d, &err),
                     NQI_ENOTFOUND);
}

static void test_search(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    const char *qs[] = {"质量", "質量", "zhiliang", "91350102MA"};
    for (size_t i = 0; i < 4; i++) {
        sup_entity_query q = {.q = qs[i], .region = "3501", .limit = 200};
        json_t *out = NULL;
        assert_int_equal(supervision_entity_search(f->db.c, &q, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 40);
        json_decref(out);
    }
    char c0[19];
    code(0, c0);
    json_t *e = NULL;
    assert_int_equal(supervision_entity_get(f->db.c, c0, false, &e, &err), 0);
    assert_null(json_object_get(e, "risk_tags"));
    json_decref(e);
    assert_int_equal(supervision_entity_get(f->db.c, "91350100M000100Y43", false, &e, &err),
                     NQI_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_rejects_bad_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_machine_and_secrecy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_pool_refused_at_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_plans_write_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redraw_keeps_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
