# core: embedded documents (OpenAPI) served by the binary.
# The served OpenAPI document is docs/openapi.json (core and the first
# modules) merged with one fragment per module in docs/openapi/*.json, so
# modules document their routes in files of their own.
build/tools/embed: scripts/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

build/tools/openapi_merge: scripts/openapi_merge.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $< $(shell pkg-config --cflags --libs jansson)

OPENAPI_FRAGMENTS := $(sort $(wildcard docs/openapi/*.json))

build/gen/openapi.json: build/tools/openapi_merge docs/openapi.json $(OPENAPI_FRAGMENTS) docs/openapi
	@mkdir -p $(dir $@)
	build/tools/openapi_merge $@ docs/openapi.json $(OPENAPI_FRAGMENTS)

GEN_SRC += build/gen/embedded_docs.c
build/gen/embedded_docs.c: build/tools/embed build/gen/openapi.json
	@mkdir -p $(dir $@)
	build/tools/embed $@ nqi_openapi_json build/gen/openapi.json
