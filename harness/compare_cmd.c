/* stub */
#include "compare_cmd.h"
int compare_cmd_main(int argc, char *const *argv)
{
	(void)argc;
	(void)argv;
	return 2;
}
