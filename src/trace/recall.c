/*
 * recall.c — the recall scope of suspect lots: the forward closure of
 * genealogy.c from all of them at once (no depth limit beyond the walk's
 * 64 hops), sorted into what a recall notice needs: affected lots and
 * items (material), logistic units that carried them (containers, only
 * while they held the goods), locations (biz locations, source/destination
 * locations) and parties (source/destination owning/possessing parties, and
 * for staff the organisations that recorded the events). Exported as JSON,
 * .xlsx (one sheet per list) or CSV (one table with a type column).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/query.h"

static json_t *pick(const json_t *o, const char *const keys[])
{
    json_t *r = json_object();
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(o, keys[i]);
        if (v)
            json_object_set(r, keys[i], v);
    }
    return r;
}

int trace_recall(store_conn *c, const char *const *ids, int nids, const trace_vis *vis,
                 int64_t from_ms, json_t **out, nqi_error *err)
{
    trace_opts o = {.dir = TRACE_FORWARD,
                    .ids = ids,
                    .nids = nids,
                    .max_depth = 64,
                    .from_ms = from_ms,
                    .to_ms = INT64_MAX,
                    .vis = *vis,
                    .fmt = EPC_FMT_DL,
                    .no_edges = true};
    json_t *g = NULL;
    int rc = trace_walk(c, &o, &g, err);
    if (rc)
        return rc;
    static const char *const item_keys[] = {"id", "class", "depth", "first_seen", "last_seen",
                                            NULL};
    json_t *lots = json_array(), *conts = json_array(), *locs = json_array(),
           *parties = json_array(), *sus = json_array();
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(g, "nodes"), i, n)
    {
        const char *kind = json_string_value(json_object_get(n, "kind"));
        const char *cls = json_string_value(json_object_get(n, "class"));
        json_t *row = pick(n, item_keys);
        if (json_is_true(json_object_get(n, "start")))
            json_array_append(sus, json_object_get(n, "id"));
        if (!strcmp(kind, "material"))
            json_array_append_new(lots, row);
        else if (!strcmp(kind, "container"))
            json_array_append_new(conts, row);
        else if (!strcmp(cls, "party"))
            json_array_append_new(parties, row);
        else
            json_array_append_new(locs, row);
    }
    /* the organisations that recorded the events: staff only */
    json_t *ev;
    json_t *orgs = json_object();
    json_array_foreach(json_object_get(g, "events"), i, ev)
    {
        const char *own = json_string_value(json_object_get(ev, "owner"));
        if (own && !json_object_get(orgs, own)) {
            json_object_set_new(orgs, own, json_true());
            json_array_append_new(parties, json_pack("{s:s, s:s}", "id", own, "class",
                                                     "organisation"));
        }
    }
    json_decref(orgs);
    json_t *events = json_incref(json_object_get(g, "events"));
    *out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:b}",
                     "suspects", sus, "lots", lots, "containers", conts, "locations", locs,
                     "parties", parties, "events", events, "counts", "lots",
                     (json_int_t)json_array_size(lots), "containers",
                     (json_int_t)json_array_size(conts), "locations",
                     (json_int_t)json_array_size(locs), "parties",
                     (json_int_t)json_array_size(parties), "events",
                     (json_int_t)json_array_size(events), "truncated",
                     json_is_true(json_object_get(g, "truncated")));
    json_decref(g);
    return 0;
}

static json_t *item_rows(const json_t *list, const char *type)
{
    json_t *rows = json_array(), *v;
    size_t i;
    json_array_foreach(list, i, v)
    {
        json_t *row = json_array();
        if (type)
            json_array_append_new(row, json_string(type));
        static const char *const keys[] = {"id", "class", "depth", "first_seen", "last_seen"};
        for (size_t k = 0; k < 5; k++) {
            json_t *x = json_object_get(v, keys[k]);
            json_array_append_new(row, x ? json_incref(x) : json_null());
        }
        json_array_append_new(rows, row);
    }
    return rows;
}

static json_t *event_rows(const json_t *events)
{
    json_t *rows = json_array(), *v;
    size_t i;
    static const char *const keys[] = {"eventTime", "type", "action", "bizStep",
                                       "disposition", "bizLocation", "eventID"};
    json_array_foreach(events, i, v)
    {
        json_t *row = json_array();
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            json_t *x = json_object_get(v, keys[k]);
            json_array_append_new(row, x ? json_incref(x) : json_null());
        }
        json_array_append_new(rows, row);
    }
    return rows;
}

int trace_recall_file(const json_t *scope, const char *format, char **out, size_t *len,
                      nqi_error *err)
{
    static const char *const lists[][2] = {{"lots", "受影响批次"},
                                           {"containers", "物流单元"},
                                           {"locations", "地点"},
                                           {"parties", "相关方"}};
    if (!strcmp(format, "csv")) {
        static const char *const heads[] = {"类型", "标识", "类别", "层级", "首次出现",
                                            "最后出现"};
        json_t *rows = json_array();
        for (size_t k = 0; k < 4; k++) {
            json_t *r = item_rows(json_object_get(scope, lists[k][0]), lists[k][1]);
            json_array_extend(rows, r);
            json_decref(r);
        }
        int rc = trace_sheet("召回范围", heads, 6, rows, "csv", out, len, err);
        json_decref(rows);
        return rc;
    }
    json_t *sheets = json_array();
    for (size_t k = 0; k < 4; k++)
        json_array_append_new(
            sheets, json_pack("{s:s, s:[s,s,s,s,s], s:o}", "title", lists[k][1], "heads", "标识",
                              "类别", "层级", "首次出现", "最后出现", "rows",
                              item_rows(json_object_get(scope, lists[k][0]), NULL)));
    json_array_append_new(sheets,
                          json_pack("{s:s, s:[s,s,s,s,s,s,s], s:o}", "title", "事件", "heads",
                                    "时间", "事件类型", "动作", "业务步骤", "处置状态", "业务地点",
                                    "事件ID", "rows",
                                    event_rows(json_object_get(scope, "events"))));
    int rc = trace_workbook(sheets, out, len, err);
    json_decref(sheets);
    return rc;
}
