/*
 * Copyright (c) 2001-2021 The strace developers.
 * All rights reserved.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

	"0",		/* 0 */
	"SIGHUP",	/* 1 */
	"SIGINT",	/* 2 */
	"SIGQUIT",	/* 3 */
	"SIGILL",	/* 4 */
	"SIGTRAP",	/* 5 */
	"SIGABRT",	/* 6 */
	"SIGSTKFLT",	/* 7 */
	"SIGFPE",	/* 8 */
	"SIGKILL",	/* 9 */
	"SIGBUS",	/* 10 */
	"SIGSEGV",	/* 11 */
	"SIGXCPU",	/* 12 */
	"SIGPIPE",	/* 13 */
	"SIGALRM",	/* 14 */
	"SIGTERM",	/* 15 */
	"SIGUSR1",	/* 16 */
	"SIGUSR2",	/* 17 */
	"SIGCHLD",	/* 18 */
	"SIGPWR",	/* 19 */
	"SIGVTALRM",	/* 20 */
	"SIGPROF",	/* 21 */
	"SIGIO",	/* 22 */
	"SIGWINCH",	/* 23 */
	"SIGSTOP",	/* 24 */
	"SIGTSTP",	/* 25 */
	"SIGCONT",	/* 26 */
	"SIGTTIN",	/* 27 */
	"SIGTTOU",	/* 28 */
	"SIGURG",	/* 29 */
	"SIGXFSZ",	/* 30 */
	"SIGSYS",	/* 31 */
	"SIGRTMIN",	/* 32 */
