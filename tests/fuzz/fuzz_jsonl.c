/*
 * Fuzz target: db import's JSON Lines stream - the in-place sample scanner
 * and the JSON parser must read every line alike (db_import_fast_agrees).
 */
#include "fuzz.h"
#include "db/db.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[768];

	util_quiet = 1;
	FUZZ_CHECK(db_import_fast_agrees((const char *)data, size, err, sizeof(err)) == 0,
		   "fast path and parser disagree: %s", err);
	return 0;
}
