/*
 * query_sched.c — the QuerySchedule of a scheduled EPCIS subscription
 * (EPCIS 2.0 §8.2.5.3, the OpenAPI `schedule` object): parsing and the next
 * run time. Pure functions: no store, no clock.
 *
 * Each field (second, minute, hour, dayOfMonth, month, dayOfWeek) is a
 * string of the grammar  Field ::= Element ("," Element)*,  Element ::=
 * Number | "[" Number "-" Number "]". A time matches the schedule when every
 * field that is given matches (an omitted field matches every value); so a
 * dayOfMonth and a dayOfWeek must both match, and dayOfMonth 31 matches only
 * in months that have a 31st. dayOfWeek 1 is Monday, 7 Sunday (ISO 8601).
 * Times are taken at a fixed UTC offset the service chooses (the standard
 * leaves the time zone to the implementation).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/query.h"

static const struct {
    const char *name;
    int lo, hi;
} sched_fields[6] = {{"second", 0, 59},     {"minute", 0, 59}, {"hour", 0, 23},
                     {"dayOfMonth", 1, 31}, {"month", 1, 12},  {"dayOfWeek", 1, 7}};

/* One number of the grammar at *p (digits only), advancing *p. */
static int sched_number(const char **p, int *out)
{
    const char *s = *p;
    int v = 0, n = 0;
    while (*s >= '0' && *s <= '9' && n < 4) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    if (!n || (*s >= '0' && *s <= '9'))
        return -1;
    *p = s;
    *out = v;
    return 0;
}

/* Parse one field's text into a bit set over [lo, hi]. */
static int sched_field(const char *txt, int f, uint64_t *bits, nqi_error *err)
{
    char field[32];
    snprintf(field, sizeof field, "schedule.%s", sched_fields[f].name);
    int lo = sched_fields[f].lo, hi = sched_fields[f].hi;
    const char *p = txt;
    *bits = 0;
    for (;;) {
        int a, b;
        if (*p == '[') {
            p++;
            if (sched_number(&p, &a) || *p++ != '-' || sched_number(&p, &b) || *p++ != ']')
                return nqi_error_field(err, NQI_EINVAL, field,
                                       "'%s': a range is written [low-high], e.g. [1-5]", txt);
            if (a > b)
                return nqi_error_field(err, NQI_EINVAL, field,
                                       "'%s': the range [%d-%d] runs backwards", txt, a, b);
        } else if (sched_number(&p, &a)) {
            return nqi_error_field(err, NQI_EINVAL, field,
                                   "'%s': numbers, [low-high] ranges, separated by commas", txt);
        } else {
            b = a;
        }
        if (a < lo || b > hi)
            return nqi_error_field(err, NQI_EINVAL, field, "'%s': values are %d to %d", txt, lo,
                                   hi);
        for (int v = a; v <= b; v++)
            *bits |= 1ULL << v;
        if (!*p)
            return 0;
        if (*p++ != ',')
            return nqi_error_field(err, NQI_EINVAL, field,
                                   "'%s': numbers, [low-high] ranges, separated by commas", txt);
    }
}

int epcis_schedule_parse(const json_t *obj, epcis_schedule *s, nqi_error *err)
{
    memset(s, 0, sizeof *s);
    if (!json_is_object(obj))
        return nqi_error_field(err, NQI_EINVAL, "schedule",
                               "an object of second, minute, hour, dayOfMonth, month, dayOfWeek");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        int f = -1;
        for (int i = 0; i < 6; i++)
            if (!strcmp(k, sched_fields[i].name))
                f = i;
        if (f < 0) {
            char field[80];
            snprintf(field, sizeof field, "schedule.%.60s", k);
            nqi_error_field(err, NQI_EINVAL, field, "unknown schedule field");
            continue;
        }
        char num[24];
        const char *txt = json_string_value(v);
        if (json_is_integer(v)) { /* a bare number is the one-element field */
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            txt = num;
        }
        if (!txt) {
            char field[32];
            snprintf(field, sizeof field, "schedule.%s", k);
            nqi_error_field(err, NQI_EINVAL, field,
                            "a string such as \"0\", \"[1-5]\" or \"0,30\"");
            continue;
        }
        if (!sched_field(txt, f, &s->bits[f], err))
            s->given |= 1u << f;
    }
    if (!err->code && epcis_schedule_next(s, 0, 0) < 0)
        nqi_error_field(err, NQI_EINVAL, "schedule.dayOfMonth",
                        "no date matches this schedule (e.g. 30 February)");
    return err->code;
}

static bool sched_has(const epcis_schedule *s, int f, int v)
{
    return !(s->given & (1u << f)) || (s->bits[f] >> v & 1);
}

int64_t epcis_schedule_next(const epcis_schedule *s, int64_t after_ms, int offset_s)
{
    /* the first whole second strictly after after_ms, in local (offset) time */
    int64_t t = (after_ms >= 0 ? after_ms / 1000 : -((-after_ms + 999) / 1000)) + 1 + offset_s;
    /* 28 years hold every (dayOfMonth, month, dayOfWeek) combination that can
     * occur at all: past that the schedule never matches */
    int64_t limit = t + 28LL * 366 * 86400;
    while (t <= limit) {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        int dow = tm.tm_wday ? tm.tm_wday : 7; /* ISO: Monday 1 .. Sunday 7 */
        int64_t day0 = t - tm.tm_hour * 3600 - tm.tm_min * 60 - tm.tm_sec;
        if (!sched_has(s, 4, tm.tm_mon + 1)) {
            struct tm nx = {.tm_year = tm.tm_year, .tm_mon = tm.tm_mon + 1, .tm_mday = 1};
            t = (int64_t)timegm(&nx); /* timegm normalises month 12 into the next year */
        } else if (!sched_has(s, 3, tm.tm_mday) || !sched_has(s, 5, dow)) {
            t = day0 + 86400;
        } else if (!sched_has(s, 2, tm.tm_hour)) {
            t = day0 + (tm.tm_hour + 1) * 3600;
        } else if (!sched_has(s, 1, tm.tm_min)) {
            t = day0 + tm.tm_hour * 3600 + (tm.tm_min + 1) * 60;
        } else {
            int sec = tm.tm_sec;
            while (sec < 60 && !sched_has(s, 0, sec))
                sec++;
            if (sec < 60)
                return (t - tm.tm_sec + sec - offset_s) * 1000;
            t += 60 - tm.tm_sec;
        }
    }
    return -1;
}
