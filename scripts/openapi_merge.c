/* openapi_merge.c — build tool: one OpenAPI document from a base file and
 * per-module fragments.
 * usage: openapi_merge OUT BASE [FRAGMENT ...]
 *
 * BASE is a whole OpenAPI 3.1 document (docs/openapi.json). A fragment
 * (docs/openapi/<module>.json) holds only {"paths": {...}, "components":
 * {"schemas": {...}, "responses": {...}, "parameters": {...}}, "tags": [...]};
 * its entries are added to the base. A component or tag defined twice is an
 * error, so two modules cannot silently overwrite each other. A path may
 * appear in two files when they define different operations (the EPCIS
 * capture side documents POST /api/v1/epcis/events, the query side GET);
 * the same operation twice is an error. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int merge_object(json_t *dst, json_t *src, const char *what, const char *file)
{
    const char *key;
    json_t *val;
    if (!src)
        return 0;
    if (!json_is_object(src))
        return fprintf(stderr, "%s: %s is not an object\n", file, what), 1;
    json_object_foreach(src, key, val)
    {
        if (json_object_get(dst, key))
            return fprintf(stderr, "%s: %s \"%s\" is already defined\n", file, what, key), 1;
        json_object_set(dst, key, val);
    }
    return 0;
}

/* Paths: merged per operation (method). */
static int merge_paths(json_t *dst, json_t *src, const char *file)
{
    const char *key;
    json_t *val;
    if (!src)
        return 0;
    if (!json_is_object(src))
        return fprintf(stderr, "%s: paths is not an object\n", file), 1;
    json_object_foreach(src, key, val)
    {
        json_t *have = json_object_get(dst, key);
        if (!have) {
            json_object_set(dst, key, val);
            continue;
        }
        char what[512];
        snprintf(what, sizeof what, "operation of path %s", key);
        if (!json_is_object(val) || !json_is_object(have) || merge_object(have, val, what, file))
            return 1;
    }
    return 0;
}

static json_t *child(json_t *parent, const char *key)
{
    json_t *o = json_object_get(parent, key);
    if (!o) {
        o = json_object();
        json_object_set_new(parent, key, o);
    }
    return o;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return fprintf(stderr, "usage: openapi_merge OUT BASE [FRAGMENT ...]\n"), 2;
    json_error_t je;
    json_t *doc = json_load_file(argv[2], JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return fprintf(stderr, "%s:%d: %s\n", argv[2], je.line, je.text), 1;
    static const char *const comps[] = {"schemas", "responses", "parameters"};
    for (int i = 3; i < argc; i++) {
        json_t *frag = json_load_file(argv[i], JSON_REJECT_DUPLICATES, &je);
        if (!frag)
            return fprintf(stderr, "%s:%d: %s\n", argv[i], je.line, je.text), 1;
        if (merge_paths(child(doc, "paths"), json_object_get(frag, "paths"), argv[i]))
            return 1;
        json_t *fc = json_object_get(frag, "components");
        for (size_t k = 0; fc && k < sizeof comps / sizeof *comps; k++)
            if (merge_object(child(child(doc, "components"), comps[k]),
                             json_object_get(fc, comps[k]), comps[k], argv[i]))
                return 1;
        json_t *tags = json_object_get(frag, "tags");
        if (json_is_array(tags)) {
            json_t *all = json_object_get(doc, "tags");
            if (!all)
                json_object_set_new(doc, "tags", all = json_array());
            size_t ti;
            json_t *t;
            json_array_foreach(tags, ti, t) json_array_append(all, t);
        }
        json_decref(frag);
    }
    if (json_dump_file(doc, argv[1], JSON_INDENT(1)))
        return fprintf(stderr, "%s: cannot write\n", argv[1]), 1;
    json_decref(doc);
    return 0;
}
