/* cmd_bench.c - placeholder until the benchmark core lands (internal). */
#include "builtin.h"
#include "util.h"

int cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return error("bench: not built yet");
}
