/*
 * workday.h — dates and working days (工作日) under China's holiday
 * calendar: Monday to Friday are working days, Saturday and Sunday rest,
 * except the days the calendar lists: a holiday (放假) is a day off whatever
 * the weekday, a workday (调休上班) is a weekend day worked instead.
 *
 * Pure functions on day numbers (days since 1970-01-01, proleptic Gregorian),
 * no I/O, no allocation except workday_cal's arrays; calendar.c loads the
 * table from the store. Deadlines in working days ("within 20 working days")
 * use workday_add: the start day itself is never counted.
 */
#ifndef NQI_WORKDAY_H
#define NQI_WORKDAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct workday_entry {
    int32_t day;
    bool work; /* true: 调休上班 (weekend day worked); false: holiday */
} workday_entry;

/* The exceptions, sorted by day, no duplicates (workday_cal_add keeps it so).
 * Owned by whoever made it: workday_cal_free. A zeroed value is an empty
 * calendar (weekends only). */
typedef struct workday_cal {
    workday_entry *e;
    size_t n, cap;
} workday_cal;

/* 'YYYY-MM-DD' with a real calendar date (years 1900-9999) -> true and *day;
 * anything else (2026-02-30, 2026-2-3, trailing text) -> false. */
bool date_parse(const char *s, int32_t *day);
/* day -> 'YYYY-MM-DD' (out: 11 bytes). */
void date_format(int32_t day, char out[11]);
/* 1 = Monday ... 7 = Sunday. */
int date_weekday(int32_t day);
/* Today's date in China (UTC+8, no daylight saving) at epoch ms `now`. */
int32_t date_today_cn(int64_t now_ms);

/* Insert or replace one exception (keeps the array sorted). */
void workday_cal_add(workday_cal *cal, int32_t day, bool work);
void workday_cal_free(workday_cal *cal);

bool workday_is(const workday_cal *cal, int32_t day);
/* The n-th working day after `day` (n > 0; the start day is not counted),
 * or before it (n < 0); n == 0 gives `day` itself. */
int32_t workday_add(const workday_cal *cal, int32_t day, int n);
/* Working days in (from, to]: 0 when to <= from. workday_add(cal, from,
 * workday_count(cal, from, to)) is the last working day <= to. */
int workday_count(const workday_cal *cal, int32_t from, int32_t to);

#endif
