/* Fuzz target: Kconfig fragments and .config files (ci/kconfig.c), merged onto themselves. */
#include "fuzz.h"
#include "ci/kconfig.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kconfig kc, again;
	char *text, *merged, *report = NULL;

	util_quiet = 1;
	if (size < 1)
		return 0;
	text = fuzz_cstr(data + 1, size - 1);
	kconfig_init(&kc);
	if (kconfig_parse(&kc, text, "fuzz", data[0] & 1) == 0) {
		merged = kconfig_apply(text, &kc);
		if (merged) {
			/* What apply writes must read back, holding every entry. */
			kconfig_init(&again);
			FUZZ_CHECK(kconfig_parse(&again, merged, "merged", 0) == 0, "apply wrote text it cannot read");
			FUZZ_CHECK(kconfig_verify(&kc, &again, &report) == 0, "an entry did not stick: %s",
				   report ? report : "");
			free(report);
			kconfig_release(&again);
			free(merged);
		}
	}
	kconfig_release(&kc);
	free(text);
	return 0;
}
