/*
 * credit_date.c — the calendar arithmetic of credit periods (publicity,
 * list terms, repair waits) and small helpers shared by the credit files.
 *
 * Periods follow the Civil Code (民法典 第二百零一条: the start day is not
 * counted; 第二百零二条: a period in months or years ends on the
 * corresponding day of the last month, or on that month's last day when it
 * has none). So six months from 2023-08-31 end on 2024-02-29 and the next
 * step is possible on 2024-03-01; one year from 2024-02-29 ends on
 * 2025-02-28.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/credit_impl.h"

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

static bool parse(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    return *y >= 1900 && *y <= 9998 && *m >= 1 && *m <= 12 && *d >= 1 &&
           *d <= month_days(*y, *m);
}

bool credit_date_valid(const char *s)
{
    int y, m, d;
    return parse(s, &y, &m, &d);
}

static void fmt(int y, int m, int d, credit_date out)
{
    char t[40];
    snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, d);
    memcpy(out, t, sizeof(credit_date) - 1);
    out[sizeof(credit_date) - 1] = 0;
}

void credit_period_end(const char *start, int months, credit_date out)
{
    int y, m, d;
    if (!parse(start, &y, &m, &d)) {
        snprintf(out, sizeof(credit_date), "%s", "9999-12-31");
        return;
    }
    int t = y * 12 + (m - 1) + months;
    y = t / 12;
    m = t % 12 + 1;
    int md = month_days(y, m);
    fmt(y, m, d > md ? md : d, out);
}

void credit_date_add_days(const char *s, int days, credit_date out)
{
    int y, m, d;
    if (!parse(s, &y, &m, &d)) {
        snprintf(out, sizeof(credit_date), "%s", "9999-12-31");
        return;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + days, .tm_hour = 12};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    fmt(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, out);
}

void credit_possible_from(const char *start, int months, credit_date out)
{
    credit_date end;
    credit_period_end(start, months, end);
    credit_date_add_days(end, 1, out);
}

void credit_today(credit_date out)
{
    time_t t = (time_t)(now_ms() / 1000) + 8 * 3600; /* 中国标准时间 */
    struct tm tm;
    gmtime_r(&t, &tm);
    fmt(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, out);
}

int credit_years_between(const char *from, const char *to)
{
    int y1, m1, d1, y2, m2, d2;
    if (!parse(from, &y1, &m1, &d1) || !parse(to, &y2, &m2, &d2))
        return 0;
    int n = y2 - y1 - ((m2 * 100 + d2) < (m1 * 100 + d1));
    return n < 0 ? 0 : n;
}

int credit_json_date(json_t *in, const char *field, bool required, const char *today,
                     const char **out, nqi_error *err)
{
    const char *s = NULL;
    int rc = json_get_str(in, field, required, 10, &s, err);
    if (rc || !s)
        return rc;
    if (!credit_date_valid(s))
        return nqi_error_field(err, NQI_EINVAL, field, "not a date (YYYY-MM-DD): %s", s);
    if (today && strcmp(s, today) > 0)
        return nqi_error_field(err, NQI_EINVAL, field, "%s is in the future (today is %s)", s,
                               today);
    *out = s;
    return 0;
}

/* ---------------------------------------------------------------- helpers */

int credit_entity_check(store_conn *c, const char *credit_code, nqi_error *err)
{
    int rc = credit_code_validate(credit_code, "credit_code", err);
    if (rc)
        return rc;
    int64_t n = 0;
    store_val p[] = {SV_TEXT(credit_code)};
    rc = store_query_int(c, "SELECT COUNT(*) FROM entities WHERE credit_code = ?", p, 1, &n,
                         err);
    if (!rc && !n)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "credit_code",
                             "no market entity %s in the directory", credit_code);
    return rc;
}

bool credit_long_wait_industry(const char *industry)
{
    static const char *const words[] = {"食品", "药品", "药", "特种设备", "food", "drug",
                                        "special equipment", NULL};
    for (int i = 0; industry && words[i]; i++)
        if (strstr(industry, words[i]))
            return true;
    return false;
}
