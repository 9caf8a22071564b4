/*
 * Exit codes: public, documented in the README.  When several apply, the
 * first of interrupted, I/O, incomplete and failed wins.  Here rather than
 * in cli/ because run/ records the code in run.json.
 */
#ifndef COMMON_EXIT_H
#define COMMON_EXIT_H

enum {
	EXIT_OK = 0,		/* done; no control failed at or above --fail-on */
	EXIT_FAILED = 1,	/* a control failed at or above --fail-on */
	EXIT_USAGE = 2,		/* bad usage or bad input (a file that is not a snapshot, ...) */
	EXIT_INCOMPLETE = 3,	/* collection incomplete: an account or a source could not be read */
	EXIT_IO = 4,		/* an output could not be written (full disk, unwritable folder) */
	EXIT_SIGNAL = 128,	/* + the signal: 130 SIGINT, 143 SIGTERM (the shell's convention) */
};

#endif
