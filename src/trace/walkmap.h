/*
 * walkmap.h — the two hash maps of the genealogy walk (genealogy.c):
 * text -> int and int64 -> int, open addressing, grown at half full.
 * Kept apart so the walk's file holds the walk.
 */
#ifndef NQI_TRACE_WALKMAP_H
#define NQI_TRACE_WALKMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct strmap {
    char **keys;
    int *vals;
    size_t cap, n;
} strmap;

/* The value of key, or -1; with insert, stores val (the key is copied)
 * when key is absent and returns it. */
int strmap_get(strmap *m, const char *key, bool insert, int val);
void strmap_free(strmap *m);

/* int64 -> index (>= 0). */
typedef struct intmap {
    int64_t *k;
    int *v; /* index + 1; 0 = empty slot */
    size_t cap, n;
} intmap;

int intmap_get(const intmap *m, int64_t k); /* -1 when absent */
void intmap_put(intmap *m, int64_t k, int idx);
void intmap_free(intmap *m);

#endif
