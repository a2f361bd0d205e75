/*
 * Fuzz target: what comes back from LAVA - a job log (lava_log_parse, the
 * YAML flow lines it reads, the outcome decided from it) and the REST
 * replies (lava_replies_parse).  The first byte picks which.
 */
#include "fuzz.h"
#include "lab/device.h"
#include "lab/lava.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	util_quiet = 1;
	if (size < 1)
		return 0;
	text = fuzz_cstr(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0: {
		struct lava_log log;
		struct lab_result res;

		memset(&log, 0, sizeof(log));
		lava_log_parse(text, size - 1, &log);
		memset(&res, 0, sizeof(res));
		/* 1 asks for a retry; either way res holds a message to free. */
		(void)lava_outcome("Complete", &log, "1", "/nonexistent/fuzz.jsonl", &res);
		lab_result_release(&res);
		lava_log_release(&log);
		break;
	}
	case 1: {
		char *json = NULL;

		if (lava_yaml_flow_to_json(text, size - 1, &json) == 0)
			free(json);
		break;
	}
	default:
		lava_replies_parse(text, size - 1);
	}
	free(text);
	return 0;
}
