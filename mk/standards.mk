# standards: the demo catalogue (data/demo/standards.csv) embedded in the
# binary for `nqi init --demo` (standards_demo in src/standards/standards_http.c).
GEN_SRC += build/gen/embedded_standards.c
build/gen/embedded_standards.c: build/tools/embed data/demo/standards.csv
	@mkdir -p $(dir $@)
	build/tools/embed $@ nqi_demo_standards_csv data/demo/standards.csv
