/*
 * Error codes. Fallible functions return 0 on success or the negation of
 * one of these codes. "Retry the guest" is its own code (ERR_AGAIN) so a
 * fault handler can tell it apart from a failure.
 */
#ifndef FAULTLINE_ERR_H
#define FAULTLINE_ERR_H

/** Error codes; functions return their negation. */
enum err {
	ERR_OK = 0,
	/** An argument or an input (DTB, trace, scenario) is malformed. */
	ERR_INVAL = 1,
	/** A page pool or a fixed-size table has no room left. */
	ERR_NOMEM = 2,
	/** An address or a size is outside the range it must be in. */
	ERR_RANGE = 3,
	/** Resume the guest and let it fault again (lost a race). */
	ERR_AGAIN = 4,
	/** The thing being created already exists. */
	ERR_EXIST = 5,
	/** The thing looked up does not exist. */
	ERR_NOENT = 6,
	/** An operation did not finish in the time allowed. */
	ERR_TIMEDOUT = 7,
	/** Reading or writing a file or a device failed. */
	ERR_IO = 8,
	/** The hardware or the firmware lacks a needed feature. */
	ERR_NOTSUP = 9,
	/** Data is truncated: it ends before a complete record. */
	ERR_TRUNC = 10,
	/**
	 * A mapping request differs from the existing entry only in its
	 * permissions: the caller should relax permissions instead.
	 */
	ERR_PERM = 11,
};

/** Returns a short name for error code @e (positive or negative). */
const char *err_name(int e);

#endif /* FAULTLINE_ERR_H */
