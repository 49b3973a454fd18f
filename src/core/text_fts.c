/*
 * text_fts.c — the FTS5 tokenizer "nqi" (see text.h for the token format).
 *
 * Why our own tokenizer: on SQLite 3.40 the trigram tokenizer cannot match
 * two-character words, the usual Chinese query, and unicode61 treats a
 * whole CJK run as one token. Documents get bigrams plus pinyin synonyms
 * (FTS5_TOKEN_COLOCATED, "method 3" of the FTS5 docs: synonyms in the
 * index only); queries get the plain bigrams/words, so text_query output
 * and hand-written MATCH strings both work.
 */
#include "core/text.h"

#include <string.h>

#include "core/err.h"

typedef struct nqi_tokenizer {
    int pretokenized;
} nqi_tokenizer;

typedef struct tok_ctx {
    void *pCtx;
    int (*xToken)(void *, int, const char *, int, int, int);
} tok_ctx;

static int tok_create(void *unused, const char **azArg, int nArg, Fts5Tokenizer **ppOut)
{
    nqi_tokenizer *t;
    int pretok = 0;
    *ppOut = NULL;
    for (int i = 0; i < nArg; i++) {
        if (!strcmp(azArg[i], "pretokenized"))
            pretok = 1;
        else
            return SQLITE_ERROR;
    }
    t = sqlite3_malloc(sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    t->pretokenized = pretok;
    *ppOut = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
    sqlite3_free(p);
}

static int tok_emit(void *ctx, int kind, int colocated, const char *tok, size_t n, size_t start,
                    size_t end)
{
    tok_ctx *c = ctx;
    return c->xToken(c->pCtx, colocated ? FTS5_TOKEN_COLOCATED : 0, tok, (int)n, (int)start,
                     (int)end);
}

/* Already-tokenized text (text_tokens output): split on ASCII whitespace. */
static int tok_pretokenized(tok_ctx *c, const char *text, int n)
{
    int i = 0, rc = SQLITE_OK;
    while (i < n && rc == SQLITE_OK) {
        int j;
        while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
            i++;
        j = i;
        while (j < n && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' && text[j] != '\r')
            j++;
        if (j > i)
            rc = c->xToken(c->pCtx, 0, text + i, j - i, i, j);
        i = j;
    }
    return rc;
}

static int tok_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *pText, int nText,
                        int (*xToken)(void *, int, const char *, int, int, int))
{
    nqi_tokenizer *t = (nqi_tokenizer *)p;
    tok_ctx c = {pCtx, xToken};
    if (!pText || nText <= 0)
        return SQLITE_OK;
    if (flags & FTS5_TOKENIZE_QUERY)
        return text_scan(pText, (size_t)nText, TEXT_SCAN_QUERY | TEXT_SCAN_LENIENT, tok_emit, &c);
    if (t->pretokenized)
        return tok_pretokenized(&c, pText, nText);
    return text_scan(pText, (size_t)nText, TEXT_SCAN_LENIENT, tok_emit, &c);
}

/* fts5_api from a connection, the documented way (SELECT fts5(?1)). */
static fts5_api *fts5_api_from_db(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int text_fts5_register(sqlite3 *db)
{
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    fts5_api *api = fts5_api_from_db(db);
    if (!api || api->iVersion < 2)
        return NQI_EDB;
    if (api->xCreateTokenizer(api, "nqi", NULL, &tok, NULL) != SQLITE_OK)
        return NQI_EDB;
    return 0;
}
