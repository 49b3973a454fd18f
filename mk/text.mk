# core/text: Traditional->Simplified fold table and pinyin table, generated
# at build time from Debian's opencc and unicode-data packages by a small C
# program (scripts/gen_text_tables.c; only libc, so no python/perl needed).
TEXT_TS_OCD2 ?= /usr/share/opencc/TSCharacters.ocd2
TEXT_UNIHAN  ?= /usr/share/unicode/Unihan_Readings.txt.bz2

build/tools/gen_text_tables: scripts/gen_text_tables.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=gnu11 -Wall -Wextra -o $@ $<

build/gen/TSCharacters.txt: $(TEXT_TS_OCD2)
	@mkdir -p $(dir $@)
	opencc_dict -i $< -o $@.tmp -f ocd2 -t text && mv $@.tmp $@

build/gen/Unihan_Readings.txt: $(TEXT_UNIHAN)
	@mkdir -p $(dir $@)
	bzcat $< > $@.tmp && mv $@.tmp $@

GEN_SRC += build/gen/text_tables.c
build/gen/text_tables.c: build/tools/gen_text_tables build/gen/TSCharacters.txt build/gen/Unihan_Readings.txt
	build/tools/gen_text_tables build/gen/TSCharacters.txt build/gen/Unihan_Readings.txt $@.tmp build/gen/text_tables.h.tmp
	mv build/gen/text_tables.h.tmp build/gen/text_tables.h && mv $@.tmp $@

# The header is written by the same command as the .c file.
build/gen/text_tables.h: build/gen/text_tables.c ;

# Throughput figures for docs/modules/text.md (not part of `make`/`make test`).
build/bench/text_fold_bench: bench/text_fold_bench.c build/libnqi.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libnqi.a $(LDLIBS)
