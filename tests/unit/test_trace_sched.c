/*
 * test_trace_sched.c — the QuerySchedule of scheduled EPCIS subscriptions
 * (src/trace/query_sched.c): grammar errors naming the field, and next run
 * times over real calendar dates (month ends, leap years, ISO day of week,
 * the service's UTC offset).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "trace/query.h"

static epcis_schedule parse_ok(const char *json)
{
    epcis_schedule s;
    nqi_error e = {0};
    json_t *o = json_loads(json, 0, NULL);
    assert_non_null(o);
    assert_int_equal(epcis_schedule_parse(o, &s, &e), 0);
    json_decref(o);
    return s;
}

static void parse_bad(const char *json, const char *field)
{
    epcis_schedule s;
    nqi_error e = {0};
    json_t *o = json_loads(json, 0, NULL);
    assert_non_null(o);
    assert_int_equal(epcis_schedule_parse(o, &s, &e), NQI_EINVAL);
    assert_true(e.nfields >= 1);
    assert_string_equal(e.fields[0].field, field);
    json_decref(o);
}

static int64_t ms(const char *iso)
{
    int64_t v;
    assert_int_equal(time_parse_iso8601(iso, &v), 0);
    return v;
}

static void next_is(const char *sched, const char *after, int offset, const char *want)
{
    epcis_schedule s = parse_ok(sched);
    int64_t got = epcis_schedule_next(&s, ms(after), offset);
    if (!want) {
        assert_int_equal(got, -1);
        return;
    }
    assert_int_equal(got, ms(want));
}

static void test_grammar(void **state)
{
    (void)state;
    parse_bad("{\"hour\": \"24\"}", "schedule.hour");
    parse_bad("{\"second\": \"60\"}", "schedule.second");
    parse_bad("{\"minute\": \"[30-10]\"}", "schedule.minute");
    parse_bad("{\"minute\": \"1-5\"}", "schedule.minute"); /* ranges need brackets */
    parse_bad("{\"dayOfWeek\": \"0\"}", "schedule.dayOfWeek");
    parse_bad("{\"dayOfMonth\": \"\"}", "schedule.dayOfMonth");
    parse_bad("{\"month\": \"1,,2\"}", "schedule.month");
    parse_bad("{\"hour\": true}", "schedule.hour");
    parse_bad("{\"weekday\": \"1\"}", "schedule.weekday");
    /* 30 and 31 February never come */
    parse_bad("{\"month\": \"2\", \"dayOfMonth\": \"[30-31]\"}", "schedule.dayOfMonth");
    epcis_schedule s = parse_ok("{\"second\": \"0,[10-12],59\", \"hour\": 7}");
    assert_int_equal(s.bits[0], (1ULL << 0) | (7ULL << 10) | (1ULL << 59));
    assert_int_equal(s.bits[2], 1ULL << 7);
    assert_int_equal(s.given, 1u | 4u);
}

static void test_next_examples(void **state)
{
    (void)state;
    /* EPCIS example 1: top of every hour */
    next_is("{\"second\": \"0\", \"minute\": \"0\"}", "2026-11-24T10:37:05Z", 0,
            "2026-11-24T11:00:00Z");
    /* strictly after: a run at the matching second itself goes to the next one */
    next_is("{\"second\": \"0\", \"minute\": \"0\"}", "2026-11-24T11:00:00Z", 0,
            "2026-11-24T12:00:00Z");
    next_is("{\"second\": \"0\", \"minute\": \"0\"}", "2026-12-31T23:59:59.500Z", 0,
            "2027-01-01T00:00:00Z");
    /* example 2: 02:30 every day */
    next_is("{\"second\": \"0\", \"minute\": \"30\", \"hour\": \"2\"}", "2026-11-24T10:37:05Z", 0,
            "2026-11-25T02:30:00Z");
    /* example 4: hour alone means every second of that hour */
    next_is("{\"hour\": \"2\"}", "2026-11-24T02:15:07Z", 0, "2026-11-24T02:15:08Z");
    next_is("{\"hour\": \"2\"}", "2026-11-24T02:59:59Z", 0, "2026-11-25T02:00:00Z");
    /* every even second */
    next_is("{\"second\": \"0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,"
            "46,48,50,52,54,56,58\"}",
            "2026-11-24T10:37:05.999Z", 0, "2026-11-24T10:37:06Z");
}

static void test_next_month_ends(void **state)
{
    (void)state;
    const char *d31 =
        "{\"second\": \"0\", \"minute\": \"0\", \"hour\": \"0\", \"dayOfMonth\": \"31\"}";
    /* after 31 January the next 31st is in March (February, then no 31 April) */
    next_is(d31, "2026-01-31T00:00:00Z", 0, "2026-03-31T00:00:00Z");
    next_is(d31, "2026-03-31T00:00:00Z", 0, "2026-05-31T00:00:00Z");
    next_is(d31, "2026-12-01T00:00:00Z", 0, "2026-12-31T00:00:00Z");
    /* 29 February: the next leap year (2028), not 1 March */
    next_is("{\"second\": \"0\", \"minute\": \"0\", \"hour\": \"12\", \"month\": \"2\", "
            "\"dayOfMonth\": \"29\"}",
            "2026-03-01T00:00:00Z", 0, "2028-02-29T12:00:00Z");
    /* last days of a quarter: 30 June / 30 September / 31 December */
    next_is("{\"second\": \"0\", \"minute\": \"0\", \"hour\": \"18\", \"month\": \"6,9\", "
            "\"dayOfMonth\": \"30\"}",
            "2026-07-01T00:00:00Z", 0, "2026-09-30T18:00:00Z");
}

static void test_next_day_of_week(void **state)
{
    (void)state;
    /* 2026-11-24 is a Tuesday: Monday 09:00 is 30 November */
    next_is("{\"second\": \"0\", \"minute\": \"0\", \"hour\": \"9\", \"dayOfWeek\": \"1\"}",
            "2026-11-24T10:37:05Z", 0, "2026-11-30T09:00:00Z");
    /* example 3: weekdays only — Saturday 28 November 2026 goes to Monday */
    next_is("{\"second\": \"0\", \"minute\": \"0\", \"dayOfWeek\": \"[1-5]\"}",
            "2026-11-28T08:10:00Z", 0, "2026-11-30T00:00:00Z");
    /* Sunday is 7 */
    next_is("{\"second\": \"0\", \"minute\": \"0\", \"hour\": \"0\", \"dayOfWeek\": \"7\"}",
            "2026-11-24T00:00:00Z", 0, "2026-11-29T00:00:00Z");
    /* dayOfMonth and dayOfWeek must both match: the next Friday the 13th
     * after November 2026 is 13 August 2027 */
    next_is("{\"second\": \"0\", \"minute\": \"0\", \"hour\": \"0\", \"dayOfMonth\": \"13\", "
            "\"dayOfWeek\": \"5\"}",
            "2026-11-24T00:00:00Z", 0, "2027-08-13T00:00:00Z");
}

static void test_next_offset(void **state)
{
    (void)state;
    /* 02:30 at +08:00 (China Standard Time) is 18:30 UTC the day before */
    next_is("{\"second\": \"0\", \"minute\": \"30\", \"hour\": \"2\"}", "2026-11-24T10:37:05Z",
            8 * 3600, "2026-11-24T18:30:00Z");
    /* the first of the month at +08:00 begins at 16:00 UTC on the last day */
    next_is("{\"second\": \"0\", \"minute\": \"0\", \"hour\": \"0\", \"dayOfMonth\": \"1\"}",
            "2026-11-24T10:37:05Z", 8 * 3600, "2026-11-30T16:00:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar),         cmocka_unit_test(test_next_examples),
        cmocka_unit_test(test_next_month_ends), cmocka_unit_test(test_next_day_of_week),
        cmocka_unit_test(test_next_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
