/* swapbench.c - placeholder main (internal, replaced by the bench core). */
#include "util.h"

int main(void)
{
	set_progname("swapbench");
	return error("not built yet") ? 1 : 0;
}
