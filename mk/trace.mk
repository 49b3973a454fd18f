# trace: the capture benchmark's binaries (bench/trace_capture.sh,
# bench/trace_wal_pages.sh). The in-process baseline links like the server
# (same allocator), so the two figures compare.
build/gen_trace: bench/gen_trace.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -o $@ $<

build/bench/trace_capture_bench: bench/trace_capture_bench.c build/libnqi.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libnqi.a $(LDLIBS) $(MALLOC_LIB)
