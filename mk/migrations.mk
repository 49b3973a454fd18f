# core/store: SQL migrations embedded in the binary (build/gen/migrations.c).
# The directories are prerequisites too, so adding or removing a file
# regenerates it.
MIGRATION_SQL := $(sort $(wildcard db/migrations/sqlite/*.sql db/migrations/pg/*.sql))

GEN_SRC += build/gen/migrations.c
build/gen/migrations.c: scripts/gen_migrations.sh $(MIGRATION_SQL) db/migrations/sqlite db/migrations/pg
	@mkdir -p $(dir $@)
	scripts/gen_migrations.sh $@
