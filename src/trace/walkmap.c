/* walkmap.c — see walkmap.h. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/walkmap.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void strmap_grow(strmap *m);

int strmap_get(strmap *m, const char *key, bool insert, int val)
{
    if (insert && (m->n + 1) * 2 > m->cap)
        strmap_grow(m);
    if (!m->cap)
        return -1;
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], key))
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    if (!insert)
        return -1;
    m->keys[i] = xstrdup(key);
    m->vals[i] = val;
    m->n++;
    return val;
}

static void strmap_grow(strmap *m)
{
    strmap o = *m;
    m->cap = o.cap ? o.cap * 2 : 256;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xcalloc(m->cap, sizeof *m->vals);
    m->n = 0;
    for (size_t i = 0; i < o.cap; i++)
        if (o.keys[i]) {
            strmap_get(m, o.keys[i], true, o.vals[i]);
            free(o.keys[i]);
        }
    free(o.keys);
    free(o.vals);
}

void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
}

static size_t intmap_slot(const intmap *m, int64_t k)
{
    size_t j = (uint64_t)k * 11400714819323198485ULL & (m->cap - 1);
    while (m->v[j] && m->k[j] != k)
        j = (j + 1) & (m->cap - 1);
    return j;
}

int intmap_get(const intmap *m, int64_t k)
{
    return m->cap ? m->v[intmap_slot(m, k)] - 1 : -1;
}

void intmap_put(intmap *m, int64_t k, int idx)
{
    if ((m->n + 1) * 2 > m->cap) {
        intmap o = *m;
        m->cap = o.cap ? o.cap * 2 : 1024;
        m->k = xcalloc(m->cap, sizeof *m->k);
        m->v = xcalloc(m->cap, sizeof *m->v);
        for (size_t i = 0; i < o.cap; i++)
            if (o.v[i]) {
                size_t j = intmap_slot(m, o.k[i]);
                m->k[j] = o.k[i];
                m->v[j] = o.v[i];
            }
        free(o.k);
        free(o.v);
    }
    size_t j = intmap_slot(m, k);
    if (!m->v[j])
        m->n++;
    m->k[j] = k;
    m->v[j] = idx + 1;
}


void intmap_free(intmap *m)
{
    free(m->k);
    free(m->v);
}
