/*
 * lab/plan.c - the benchmark plan checked on the lab host (see plan.h).
 */
#include "lab/plan.h"
#include "bench/bench.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

int lab_plan_check(const struct lab_plan *plan)
{
	static const char *const not_on_board[] = { "--help", "-h", "--cleanup", "--dry-run",
						    "--db", "--label", "--out" };
	struct bench_opts o;
	char **argv = xcalloc(plan->argc + 2, sizeof(*argv));
	size_t i, j;
	int ret;

	for (i = 0; i < plan->argc; i++) {
		const char *a = plan->argv[i];

		for (j = 0; j < ARRAY_SIZE(not_on_board); j++) {
			size_t n = strlen(not_on_board[j]);

			if (!strncmp(a, not_on_board[j], n) && (!a[n] || a[n] == '=')) {
				free(argv);
				return error("the plan's '%s' makes no benchmark run on a board", a);
			}
		}
	}
	argv[0] = (char *)"swapbench";
	for (i = 0; i < plan->argc; i++)
		argv[i + 1] = plan->argv[i];
	bench_opts_init(&o);
	ret = bench_parse_args(&o, (int)plan->argc + 1, argv, 0); /* as the board's swapbench */
	bench_opts_release(&o);
	free(argv);
	if (ret < 0)
		return error("the plan is not one swapbench accepts (see 'swaplab bench --help')");
	return 0;
}
