/*
 * Command lines as text: an argv joined with the quoting a POSIX shell
 * needs to give back the same words, for the manifest and for messages.
 */
#ifndef FAULTLINE_HARNESS_SHELL_H
#define FAULTLINE_HARNESS_SHELL_H

#include <stddef.h>

#include <faultline/types.h>

/**
 * Joins the @argc words of @argv with spaces into @out, single-quoting a
 * word that holds anything but letters, digits and "-_./=:,+@%". Returns
 * 0, or -ERR_RANGE when the result does not fit (it is cut short then).
 */
int shell_join(int argc, char *const *argv, char *out, size_t size);

#endif /* FAULTLINE_HARNESS_SHELL_H */
