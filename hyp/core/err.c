/* Names of error codes, for messages. */
#include <faultline/err.h>

const char *err_name(int e)
{
	/*
	 * A switch rather than a table of pointers: this may run with the MMU
	 * off, where a table of absolute pointers would hold link-time VAs.
	 */
	/* Through unsigned: -INT_MIN does not fit in an int. */
	switch (e < 0 ? 0u - (unsigned)e : (unsigned)e) {
	case ERR_OK:
		return "ok";
	case ERR_INVAL:
		return "invalid";
	case ERR_NOMEM:
		return "out of memory";
	case ERR_RANGE:
		return "out of range";
	case ERR_AGAIN:
		return "retry";
	case ERR_EXIST:
		return "already exists";
	case ERR_NOENT:
		return "not found";
	case ERR_TIMEDOUT:
		return "timed out";
	case ERR_IO:
		return "I/O error";
	case ERR_NOTSUP:
		return "not supported";
	case ERR_TRUNC:
		return "truncated";
	case ERR_PERM:
		return "permissions only";
	default:
		return "unknown error";
	}
}
