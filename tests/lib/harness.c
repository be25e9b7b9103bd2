// SPDX-License-Identifier: GPL-2.0-only
/*
 * The runner behind harness.h.  The parent forks one child per test and
 * waits on a pidfd with the test's timeout; the child reports a skip reason
 * through a shared page.  Child exit codes: 0 passed, 1 failed, 4 skipped.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_SKIP = 4 };

struct harness_shared {
	char skip_reason[256];
};

static struct harness_test *tests, **tests_tail = &tests;
static struct harness_shared *shared;

/* Child-side state of the running test. */
static int test_failed;
static jmp_buf *test_abort;

void harness_register(struct harness_test *t)
{
	*tests_tail = t;
	tests_tail = &t->next;
}

static void report(const char *file, int line, const char *fmt, va_list ap)
{
	printf("# %s:%d: ", file, line);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	test_failed = 1;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(file, line, fmt, ap);
	va_end(ap);
}

void harness_abort(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(file, line, fmt, ap);
	va_end(ap);
	if (test_abort)
		longjmp(*test_abort, 1);
	exit(EXIT_FAIL);
}

void harness_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shared->skip_reason, sizeof(shared->skip_reason), fmt, ap);
	va_end(ap);
	exit(EXIT_SKIP);
}

/*
 * Setup, body, then teardown even when the body failed an ASSERT; a failed
 * ASSERT in setup skips the body and the teardown (setup undoes itself).
 */
void harness_run_fixture(void *self, void (*setup)(void *),
			 void (*body)(void *), void (*teardown)(void *))
{
	jmp_buf env;

	test_abort = &env;
	if (setjmp(env))
		exit(EXIT_FAIL);
	setup(self);

	if (!setjmp(env))
		body(self);

	if (!setjmp(env))
		teardown(self);
	test_abort = NULL;
}

static void run_child(struct harness_test *t)
{
	t->run();
	exit(test_failed ? EXIT_FAIL : EXIT_PASS);
}

static int wait_with_timeout(pid_t pid, unsigned int timeout, int *status)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int timed_out = 0;

	if (pidfd < 0 || poll(&pfd, 1, timeout * 1000) == 0) {
		timed_out = pidfd >= 0;
		kill(pid, SIGKILL);
	}
	if (pidfd >= 0)
		close(pidfd);
	waitpid(pid, status, 0);
	return timed_out;
}

/* Returns the verdict: EXIT_PASS, EXIT_FAIL or EXIT_SKIP. */
static int run_one(struct harness_test *t, unsigned int num)
{
	int status, timed_out;
	pid_t pid;

	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		printf("not ok %u %s.%s\n", num, t->suite, t->name);
		return EXIT_FAIL;
	}
	if (pid == 0)
		run_child(t);

	timed_out = wait_with_timeout(pid, t->timeout, &status);
	if (timed_out) {
		printf("# %s.%s: no result after %u s, killed\n", t->suite,
		       t->name, t->timeout);
	} else if (WIFSIGNALED(status)) {
		printf("# %s.%s: killed by signal %d (%s)\n", t->suite, t->name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP) {
		printf("ok %u %s.%s # SKIP %s\n", num, t->suite, t->name,
		       shared->skip_reason[0] ? shared->skip_reason :
						"(no reason given)");
		return EXIT_SKIP;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_PASS) {
		printf("ok %u %s.%s\n", num, t->suite, t->name);
		return EXIT_PASS;
	}
	printf("not ok %u %s.%s\n", num, t->suite, t->name);
	return EXIT_FAIL;
}

static int selected(struct harness_test *t, const char *filter)
{
	char full[256];

	if (!filter)
		return 1;
	snprintf(full, sizeof(full), "%s.%s", t->suite, t->name);
	return strstr(full, filter) != NULL;
}

int harness_main(int argc, char **argv)
{
	unsigned int counts[5] = {}, total = 0, num = 0;
	const char *filter = NULL;
	struct harness_test *t;
	int list = 0, opt;

	while ((opt = getopt(argc, argv, "lt:")) != -1) {
		switch (opt) {
		case 'l':
			list = 1;
			break;
		case 't':
			filter = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-l] [-t SUBSTRING]\n",
				argv[0]);
			return 2;
		}
	}

	for (t = tests; t; t = t->next) {
		if (!selected(t, filter))
			continue;
		if (list)
			printf("%s.%s\n", t->suite, t->name);
		total++;
	}
	if (list)
		return 0;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%u\n", total);
	for (t = tests; t; t = t->next)
		if (selected(t, filter))
			counts[run_one(t, ++num)]++;

	printf("# %u passed, %u failed, %u skipped\n", counts[EXIT_PASS],
	       counts[EXIT_FAIL], counts[EXIT_SKIP]);
	return counts[EXIT_FAIL] ? 1 : 0;
}

int main(int argc, char **argv) __attribute__((weak));
int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
