/*
 * workday.c — date arithmetic and working days (see workday.h). Day numbers
 * use H. Hinnant's days_from_civil / civil_from_days, exact for the whole
 * proleptic Gregorian calendar without tables or time zones.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "supervision/workday.h"

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool date_parse(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return false;
    *day = days_from_civil(y, m, d);
    return true;
}

void date_format(int32_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 0;
}

int date_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (4) */
    int w = (int)((day % 7 + 7) % 7); /* 0 = Thursday */
    return (w + 3) % 7 + 1;
}

int32_t date_today_cn(int64_t now)
{
    int64_t ms = now + 8LL * 3600 * 1000;
    int64_t d = ms / 86400000;
    if (ms < 0 && ms % 86400000)
        d--;
    return (int32_t)d;
}

static workday_entry *find(const workday_cal *cal, int32_t day, size_t *pos)
{
    size_t lo = 0, hi = cal ? cal->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cal->e[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return cal && lo < cal->n && cal->e[lo].day == day ? &cal->e[lo] : NULL;
}

void workday_cal_add(workday_cal *cal, int32_t day, bool work)
{
    size_t pos;
    workday_entry *e = find(cal, day, &pos);
    if (e) {
        e->work = work;
        return;
    }
    if (cal->n == cal->cap) {
        cal->cap = cal->cap ? cal->cap * 2 : 64;
        cal->e = xrealloc(cal->e, cal->cap * sizeof *cal->e);
    }
    memmove(cal->e + pos + 1, cal->e + pos, (cal->n - pos) * sizeof *cal->e);
    cal->e[pos] = (workday_entry){day, work};
    cal->n++;
}

void workday_cal_free(workday_cal *cal)
{
    free(cal->e);
    memset(cal, 0, sizeof *cal);
}

bool workday_is(const workday_cal *cal, int32_t day)
{
    const workday_entry *e = find(cal, day, NULL);
    if (e)
        return e->work;
    return date_weekday(day) <= 5;
}

int32_t workday_add(const workday_cal *cal, int32_t day, int n)
{
    int step = n < 0 ? -1 : 1;
    for (int left = abs(n); left > 0;) {
        day += step;
        if (workday_is(cal, day))
            left--;
    }
    return day;
}

int workday_count(const workday_cal *cal, int32_t from, int32_t to)
{
    int n = 0;
    for (int32_t d = from + 1; d <= to; d++)
        n += workday_is(cal, d);
    return n;
}
