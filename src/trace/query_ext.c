/*
 * query_ext.c — the EPCIS 2.0 query parameters answered from the stored
 * event document (epcis_events.doc) rather than from columns: extension
 * fields (EQ_/GT_/GE_/LT_/LE_/EXISTS_ + "prefix:local", with INNER_ for a
 * field nested anywhere below), the same for ILMD_, ERROR_DECLARATION_,
 * readPoint_, bizLocation_, SENSORELEMENT_, SENSORMETADATA_, SENSORREPORT_,
 * the sensor parameters of §8.2.7.1 (EXISTS_sensorElement, EQ_type,
 * EQ_deviceID, …, GE_value_<uom>, LT_maxValue_<uom>, GT_percRank, GE_time …)
 * and EQ_persistentDisposition_set / _unset.
 *
 * A parameter becomes one condition: a scope (where in the document: the
 * event, its ilmd, each sensorElementList[*].sensorReport[*], …), whether
 * the field may be nested (INNER), and one or two predicates on fields of
 * the same scope element (a sensor value and its uom must be in the same
 * report). The condition is written at compile time in both SQL dialects —
 * the only place in the read path where SQLite and PostgreSQL differ:
 *   SQLite      json_extract / json_each / json_tree on the TEXT document;
 *   PostgreSQL  jsonb_path_exists(doc::jsonb, <jsonpath>, <vars>) with
 *               the values passed as jsonpath variables.
 * Field names come from the parameter name but only after checking them
 * against [A-Za-z0-9_.:-]; every path and value is a bound parameter.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/epcis.h"
#include "trace/gs1.h"
#include "trace/query.h"

#define EXT_MAX_PARAMS 256
#define EXT_MAX_VALUES 32

typedef enum { OP_EQ, OP_GT, OP_GE, OP_LT, OP_LE, OP_EXISTS } ext_op;
/* how a value compares: text (and, when it reads as a number, also as the
 * number), number only, text only (normalised times, URIs), boolean */
typedef enum { K_ANY, K_NUM, K_TEXT, K_BOOL } ext_kind;

typedef enum {
    SC_TOP,
    SC_ILMD,
    SC_ERR,
    SC_RP,
    SC_BL,
    SC_ELEM,
    SC_META,
    SC_REPORT,
    SC_PD_SET,
    SC_PD_UNSET
} ext_scope;
static const struct {
    const char *seg[2];
    bool arr[2];
} scopes[] = {
    [SC_TOP] = {{NULL, NULL}, {0, 0}},
    [SC_ILMD] = {{"ilmd", NULL}, {0, 0}},
    [SC_ERR] = {{"errorDeclaration", NULL}, {0, 0}},
    [SC_RP] = {{"readPoint", NULL}, {0, 0}},
    [SC_BL] = {{"bizLocation", NULL}, {0, 0}},
    [SC_ELEM] = {{"sensorElementList", NULL}, {1, 0}},
    [SC_META] = {{"sensorElementList", "sensorMetadata"}, {1, 0}},
    [SC_REPORT] = {{"sensorElementList", "sensorReport"}, {1, 1}},
    [SC_PD_SET] = {{"persistentDisposition", "set"}, {0, 1}},
    [SC_PD_UNSET] = {{"persistentDisposition", "unset"}, {0, 1}},
};

typedef struct ext_pred {
    const char *field; /* NULL: the scope element itself (a list of strings) */
    ext_op op;
    ext_kind kind;
    const char *v[EXT_MAX_VALUES];
    int nv;
} ext_pred;

typedef struct ext_dialect {
    buf sql;
    store_val p[EXT_MAX_PARAMS];
    int np;
} ext_dialect;

struct epcis_ext {
    ext_dialect d[2]; /* 0 SQLite, 1 PostgreSQL */
    char *owned[EXT_MAX_PARAMS * 2];
    int nowned;
};

static const char *own(epcis_ext *x, char *s)
{
    if (x->nowned < (int)(sizeof x->owned / sizeof x->owned[0]))
        x->owned[x->nowned++] = s;
    return s; /* (the caller checked room through bind) */
}

static int bind(epcis_ext *x, int d, store_val v)
{
    if (x->d[d].np >= EXT_MAX_PARAMS)
        return -1;
    x->d[d].p[x->d[d].np++] = v;
    return 0;
}

static int bind_text(epcis_ext *x, int d, char *s) /* takes s */
{
    if (x->nowned >= (int)(sizeof x->owned / sizeof x->owned[0]) || bind(x, d, SV_TEXT(s))) {
        free(s);
        return -1;
    }
    own(x, s);
    return 0;
}

static bool number_of(const char *s, double *d)
{
    char *end;
    if (!*s)
        return false;
    *d = strtod(s, &end);
    return !*end && isfinite(*d); /* "nan" and "inf" are no JSON numbers */
}

static const char *op_sql(ext_op op)
{
    static const char *const o[] = {"=", ">", ">=", "<", "<="};
    return o[op];
}

static const char *op_path(ext_op op)
{
    static const char *const o[] = {"==", ">", ">=", "<", "<="};
    return o[op];
}

/* ---------------------------------------------------------------- SQLite */

/* X: the field's value in the current scope element. */
static int sq_x(epcis_ext *x, const char *src, const char *base, const char *field, bool inner)
{
    buf *b = &x->d[0].sql;
    if (inner || !field) {
        buf_puts(b, inner ? "t.atom" : src);
        return 0;
    }
    buf_printf(b, "json_extract(%s, ?)", src);
    return bind_text(x, 0, xasprintf("%s.\"%s\"", base, field));
}

static int sq_pred(epcis_ext *x, const char *src, const char *base, const ext_pred *p, bool inner)
{
    buf *b = &x->d[0].sql;
    int rc = 0;
    if (inner) {
        buf_puts(b, "t.key = ? AND ");
        rc |= bind_text(x, 0, xstrdup(p->field));
    }
    if (p->op == OP_EXISTS) {
        if (inner) { /* the key row itself is the answer */
            buf_puts(b, "t.type != 'null'");
            return rc;
        }
        rc |= sq_x(x, src, base, p->field, inner);
        buf_puts(b, " IS NOT NULL");
        return rc;
    }
    if (p->op == OP_EQ) {
        rc |= sq_x(x, src, base, p->field, inner);
        buf_puts(b, " IN (");
        for (int i = 0; i < p->nv; i++) {
            double d;
            buf_puts(b, i ? ", ?" : "?");
            if (p->kind == K_BOOL) {
                rc |= bind(x, 0, SV_INT(!strcmp(p->v[i], "true")));
                continue;
            }
            rc |= bind_text(x, 0, xstrdup(p->v[i]));
            if (p->kind != K_TEXT && number_of(p->v[i], &d)) {
                buf_puts(b, ", ?");
                rc |= bind(x, 0, SV_REAL(d));
            }
        }
        buf_puts(b, ")");
        return rc;
    }
    /* an order comparison only between values of the same JSON type */
    double d;
    bool num = p->kind == K_NUM || (p->kind == K_ANY && number_of(p->v[0], &d));
    buf_puts(b, "(typeof(");
    rc |= sq_x(x, src, base, p->field, inner);
    buf_puts(b, num ? ") IN ('integer', 'real') AND " : ") = 'text' AND ");
    rc |= sq_x(x, src, base, p->field, inner);
    buf_printf(b, " %s ?)", op_sql(p->op));
    if (num && number_of(p->v[0], &d))
        rc |= bind(x, 0, SV_REAL(d));
    else
        rc |= bind_text(x, 0, xstrdup(p->v[0]));
    return rc;
}

static int sq_cond(epcis_ext *x, ext_scope sc, bool inner, const ext_pred *ps, int np)
{
    buf *b = &x->d[0].sql;
    char src[32] = "e.doc", base[160] = "$";
    int rc = 0, nfrom = 0;
    bool from = inner || scopes[sc].arr[0] || scopes[sc].arr[1];
    if (from)
        buf_puts(b, "EXISTS (SELECT 1 FROM ");
    for (int i = 0; i < 2 && scopes[sc].seg[i]; i++) {
        char path[sizeof base];
        /* scope names are ours and short: the path fits */
        if (snprintf(path, sizeof path, "%.100s.\"%s\"", base, scopes[sc].seg[i]) < 0)
            return -1;
        if (scopes[sc].arr[i]) {
            buf_printf(b, "%sjson_each(%s, ?) j%d", nfrom ? ", " : "", src, i);
            rc |= bind_text(x, 0, xstrdup(path));
            snprintf(src, sizeof src, "j%d.value", i);
            snprintf(base, sizeof base, "$");
            nfrom++;
        } else {
            snprintf(base, sizeof base, "%s", path);
        }
    }
    if (inner) {
        buf_printf(b, "%sjson_tree(%s, ?) t", nfrom ? ", " : "", src);
        rc |= bind_text(x, 0, xstrdup(base));
    }
    buf_puts(b, from ? " WHERE " : "(");
    for (int i = 0; i < np; i++) {
        if (i)
            buf_puts(b, " AND ");
        rc |= sq_pred(x, src, base, &ps[i], inner);
    }
    buf_puts(b, ")");
    return rc;
}

/* ---------------------------------------------------------------- PostgreSQL */

/* "@" or @."field" */
static void pg_at(buf *b, const char *field)
{
    if (field)
        buf_printf(b, "@.\"%s\"", field);
    else
        buf_puts(b, "@");
}

static int pg_cond(epcis_ext *x, ext_scope sc, bool inner, const ext_pred *ps, int np)
{
    buf path;
    buf_init(&path, 0);
    json_t *vars = json_object();
    buf_puts(&path, "$");
    for (int i = 0; i < 2 && scopes[sc].seg[i]; i++)
        buf_printf(&path, ".\"%s\"%s", scopes[sc].seg[i], scopes[sc].arr[i] ? "[*]" : "");
    if (inner)
        buf_puts(&path, ".**");
    buf_puts(&path, " ? (");
    int nvar = 0;
    for (int i = 0; i < np; i++) {
        const ext_pred *p = &ps[i];
        if (i)
            buf_puts(&path, " && ");
        if (p->op == OP_EXISTS) {
            buf_printf(&path, "exists(@.\"%s\")", p->field);
            continue;
        }
        buf_puts(&path, "(");
        for (int j = 0; j < (p->op == OP_EQ ? p->nv : 1); j++) {
            double d;
            char var[16];
            bool num = p->kind == K_NUM || (p->kind == K_ANY && number_of(p->v[j], &d));
            if (j)
                buf_puts(&path, " || ");
            snprintf(var, sizeof var, "v%d", nvar++);
            if (p->kind == K_BOOL)
                json_object_set_new(vars, var, json_boolean(!strcmp(p->v[j], "true")));
            else if (num && number_of(p->v[j], &d))
                json_object_set_new(vars, var, json_real(d));
            else
                json_object_set_new(vars, var, json_string(p->v[j]));
            pg_at(&path, p->field);
            buf_printf(&path, " %s $%s", op_path(p->op), var);
            /* EQ on a free-form field: "12" also meets the number 12 */
            if (p->op == OP_EQ && p->kind == K_ANY && num) {
                snprintf(var, sizeof var, "v%d", nvar++);
                json_object_set_new(vars, var, json_string(p->v[j]));
                buf_puts(&path, " || ");
                pg_at(&path, p->field);
                buf_printf(&path, " == $%s", var);
            }
        }
        buf_puts(&path, ")");
    }
    buf_puts(&path, ")");
    buf_puts(&x->d[1].sql, "jsonb_path_exists(e.doc::jsonb, CAST(? AS jsonpath), "
                           "CAST(? AS jsonb), true)");
    int rc = bind_text(x, 1, buf_steal(&path));
    rc |= bind_text(x, 1, json_dumps(vars, JSON_COMPACT));
    json_decref(vars);
    return rc;
}

/* One condition (OR over alternative scopes) in both dialects. */
static int add_cond(epcis_ext *x, const ext_scope *sc, int nsc, bool inner, const ext_pred *ps,
                    int np, const char *name, nqi_error *err)
{
    int rc = 0;
    for (int d = 0; d < 2; d++)
        buf_puts(&x->d[d].sql, " AND (");
    for (int i = 0; i < nsc; i++) {
        for (int d = 0; d < 2; d++)
            buf_puts(&x->d[d].sql, i ? " OR " : "");
        rc |= sq_cond(x, sc[i], inner, ps, np);
        rc |= pg_cond(x, sc[i], inner, ps, np);
    }
    for (int d = 0; d < 2; d++)
        buf_puts(&x->d[d].sql, ")");
    return rc ? nqi_error_field(err, NQI_EBADREQ, name, "too many values in this query") : 0;
}

/* ---------------------------------------------------------------- parameters */

static bool field_ok(const char *f)
{
    /* "prefix:local" as the query schema has it: a declared prefix, a colon */
    const char *c = strchr(f, ':');
    if (!c || c == f || !c[1] || !isalpha((unsigned char)f[0]) || strlen(f) > 100)
        return false;
    for (const char *p = f; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.-:", *p))
            return false;
    return strchr(c + 1, ':') == NULL;
}

/* Split value into p->v (owned by x); normalise each by kind. */
static int values(epcis_ext *x, ext_pred *p, const char *name, const char *v, bool many, int norm,
                  nqi_error *err)
{
    p->nv = 0;
    if (p->op == OP_EXISTS)
        return 0;
    for (const char *s = v; *s;) {
        size_t l = strcspn(s, "|");
        if (l) {
            if (p->nv == EXT_MAX_VALUES || (!many && p->nv == 1))
                return nqi_error_field(err, NQI_EBADREQ, name,
                                       many ? "too many values" : "takes one value");
            char *one = xstrndup(s, l), out[GS1_INPUT_MAX + 1];
            double d;
            int bad = 0;
            if (p->kind == K_NUM && !number_of(one, &d))
                bad = nqi_error_field(err, NQI_EBADREQ, name, "'%s' is not a number", one);
            else if (p->kind == K_BOOL && strcmp(one, "true") && strcmp(one, "false"))
                bad = nqi_error_field(err, NQI_EBADREQ, name, "true or false");
            else if (norm == 'i' && trace_canon(one, name, out, sizeof out, err))
                bad = err->code;
            else if (norm == 't') {
                int64_t ms;
                if (epcis_time_parse(one, &ms))
                    bad = nqi_error_field(err, NQI_EBADREQ, name,
                                          "an ISO 8601 date-time with offset");
                else
                    epcis_time_format(ms, out);
            } else if (norm == 'c') { /* CBV value: bare name */
                cbv_bare(one, out, sizeof out);
            } else if (norm == 'm') { /* measurement type: bare GS1 name */
                const char *t = !strncmp(one, "gs1:", 4)                    ? one + 4
                                : !strncmp(one, "https://gs1.org/voc/", 20) ? one + 20
                                                                            : one;
                snprintf(out, sizeof out, "%s", t);
            }
            if (bad) {
                free(one);
                return bad;
            }
            if (norm) {
                free(one);
                one = xstrdup(out);
            }
            if (x->nowned >= (int)(sizeof x->owned / sizeof x->owned[0])) {
                free(one);
                return nqi_error_field(err, NQI_EBADREQ, name, "too many values in this query");
            }
            p->v[p->nv++] = own(x, one);
        }
        s += l + (s[l] == '|');
    }
    if (!p->nv)
        return nqi_error_field(err, NQI_EBADREQ, name, "needs a value");
    return 0;
}

static bool take(const char **n, const char *pre)
{
    size_t l = strlen(pre);
    if (strncmp(*n, pre, l))
        return false;
    *n += l;
    return true;
}

static int op_of(const char **n)
{
    static const char *const ops[] = {"EQ_", "GT_", "GE_", "LT_", "LE_", "EXISTS_"};
    for (int i = 0; i < 6; i++)
        if (take(n, ops[i]))
            return i;
    return -1;
}

/* The parameters with fixed names: sensor data (EPCIS 2.0 §8.2.7.1) and
 * EQ_persistentDisposition_set / _unset. */
static int named_param(epcis_ext *x, ext_op op, const char *rest, const char *name, const char *v,
                       nqi_error *err)
{
    static const struct {
        const char *name;
        int ops; /* bit per ext_op */
        ext_kind kind;
        int norm; /* 'i' identifier, 't' time, 'm' measurement type */
        ext_scope sc[2];
        int nsc;
    } fixed[] = {
        {"type", 1 << OP_EQ, K_TEXT, 'm', {SC_REPORT}, 1},
        {"deviceID", 1 << OP_EQ, K_TEXT, 'i', {SC_META, SC_REPORT}, 2},
        {"dataProcessingMethod", 1 << OP_EQ, K_TEXT, 'i', {SC_META, SC_REPORT}, 2},
        {"bizRules", 1 << OP_EQ, K_TEXT, 'i', {SC_META, SC_REPORT}, 2},
        {"microorganism", 1 << OP_EQ, K_TEXT, 0, {SC_REPORT}, 1},
        {"chemicalSubstance", 1 << OP_EQ, K_TEXT, 0, {SC_REPORT}, 1},
        {"stringValue", 1 << OP_EQ, K_TEXT, 0, {SC_REPORT}, 1},
        {"hexBinaryValue", 1 << OP_EQ, K_TEXT, 0, {SC_REPORT}, 1},
        {"uriValue", 1 << OP_EQ, K_TEXT, 0, {SC_REPORT}, 1},
        {"booleanValue", 1 << OP_EQ, K_BOOL, 0, {SC_REPORT}, 1},
        {"time", 1 << OP_GE | 1 << OP_LT, K_TEXT, 't', {SC_META, SC_REPORT}, 2},
        {"startTime", 1 << OP_GE | 1 << OP_LT, K_TEXT, 't', {SC_META}, 1},
        {"endTime", 1 << OP_GE | 1 << OP_LT, K_TEXT, 't', {SC_META}, 1},
        {"percRank", 0x1e, K_NUM, 0, {SC_REPORT}, 1},
    };
    /* measured values carry their unit: GE_value_CEL, LT_maxValue_KGM */
    static const char *const measured[] = {"value",     "minValue", "maxValue",
                                           "meanValue", "sDev",     "percValue"};
    ext_pred p[2] = {{.op = op}};
    if (op == OP_EQ && (!strcmp(rest, "persistentDisposition_set") ||
                        !strcmp(rest, "persistentDisposition_unset"))) {
        p[0].kind = K_TEXT; /* field NULL: a member of the list */
        if (values(x, &p[0], name, v, true, 'c', err))
            return err->code;
        ext_scope sc = rest[22] == 's' ? SC_PD_SET : SC_PD_UNSET;
        return add_cond(x, &sc, 1, false, p, 1, name, err);
    }
    if (op == OP_EXISTS && (!strcmp(rest, "sensorElement") || !strcmp(rest, "sensorElementList"))) {
        p[0].field = "sensorElementList";
        return add_cond(x, (ext_scope[]){SC_TOP}, 1, false, p, 1, name, err);
    }
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(rest, fixed[i].name) || !(fixed[i].ops >> op & 1))
            continue;
        p[0].field = fixed[i].name;
        p[0].kind = fixed[i].kind;
        if (values(x, &p[0], name, v, op == OP_EQ && fixed[i].kind != K_BOOL, fixed[i].norm, err))
            return err->code;
        return add_cond(x, fixed[i].sc, fixed[i].nsc, false, p, 1, name, err);
    }
    for (size_t i = 0; i < sizeof measured / sizeof measured[0]; i++) {
        size_t l = strlen(measured[i]);
        if (strncmp(rest, measured[i], l) || rest[l] != '_' || op == OP_EXISTS ||
            (op == OP_EQ && i))
            continue;
        const char *uom = rest + l + 1;
        size_t ul = strlen(uom);
        if (ul < 2 || ul > 4 || strspn(uom, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != ul)
            return nqi_error_field(err, NQI_EBADREQ, name,
                                   "the unit after %s_ is a UN/ECE Rec 20 code such as CEL or KGM",
                                   measured[i]);
        p[0].field = measured[i];
        p[0].kind = K_NUM;
        p[1] = (ext_pred){.field = "uom", .op = OP_EQ, .kind = K_TEXT, .v = {uom}, .nv = 1};
        if (values(x, &p[0], name, v, op == OP_EQ, 0, err))
            return err->code;
        return add_cond(x, (ext_scope[]){SC_REPORT}, 1, false, p, 2, name, err);
    }
    return 1;
}

int epcis_ext_compile(epcis_ext **xp, const char *name, const char *value, nqi_error *err)
{
    static const struct {
        const char *pre;
        ext_scope sc;
    } sections[] = {{"ILMD_", SC_ILMD},           {"ERROR_DECLARATION_", SC_ERR},
                    {"SENSORELEMENT_", SC_ELEM},  {"SENSORMETADATA_", SC_META},
                    {"SENSORREPORT_", SC_REPORT}, {"readPoint_", SC_RP},
                    {"bizLocation_", SC_BL}};
    const char *rest = name;
    int op = op_of(&rest);
    if (op < 0)
        return 1;
    if (!*xp) {
        *xp = xcalloc(1, sizeof **xp);
        buf_init(&(*xp)->d[0].sql, 0);
        buf_init(&(*xp)->d[1].sql, 0);
    }
    epcis_ext *x = *xp;
    if (!strchr(rest, ':')) /* no namespace prefix: a sensor parameter or none of ours */
        return named_param(x, (ext_op)op, rest, name, value, err);
    bool inner = take(&rest, "INNER_");
    ext_scope sc = SC_TOP;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (take(&rest, sections[i].pre)) {
            sc = sections[i].sc;
            break;
        }
    if (!field_ok(rest))
        return nqi_error_field(err, NQI_EBADREQ, name,
                               "an extension field is named prefix:localName, e.g. "
                               "EQ_ILMD_cbvmda:countryOfOrigin");
    ext_pred p = {.field = rest, .op = (ext_op)op, .kind = K_ANY};
    if (values(x, &p, name, value, op == OP_EQ, 0, err))
        return err->code;
    return add_cond(x, &sc, 1, inner, &p, 1, name, err);
}

void epcis_ext_where(const epcis_ext *x, store_kind_t kind, const char **sql,
                     const store_val **params, int *n)
{
    int d = kind == STORE_PG;
    *sql = x && x->d[d].sql.data ? x->d[d].sql.data : "";
    *params = x ? x->d[d].p : NULL;
    *n = x ? x->d[d].np : 0;
}

void epcis_ext_free(epcis_ext *x)
{
    if (!x)
        return;
    for (int i = 0; i < x->nowned; i++)
        free(x->owned[i]);
    buf_free(&x->d[0].sql);
    buf_free(&x->d[1].sql);
    free(x);
}
