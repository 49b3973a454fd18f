# core: embedded documents (OpenAPI) served by the binary.
build/tools/embed: scripts/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

GEN_SRC += build/gen/embedded_docs.c
build/gen/embedded_docs.c: build/tools/embed docs/openapi.json
	@mkdir -p $(dir $@)
	build/tools/embed $@ nqi_openapi_json docs/openapi.json
