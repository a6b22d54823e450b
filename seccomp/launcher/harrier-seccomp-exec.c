// SPDX-License-Identifier: Apache-2.0
// harrier-seccomp-exec: installs a seccomp filter prepared by Harrier and execs the workload.
//
//   HARRIER_SECCOMP_FILTER=<hex of struct sock_filter[]> [HARRIER_SECCOMP_NOTIFY=<abstract unix socket name>]
//   harrier-seccomp-exec [--] CMD [ARGS...]
//
// Steps: read and unset the environment variables; connect to the notify socket (before the filter exists,
// so a notified connect cannot deadlock); PR_SET_NO_NEW_PRIVS; seccomp(SECCOMP_SET_MODE_FILTER) with
// SECCOMP_FILTER_FLAG_NEW_LISTENER when notifying; send the listener fd to Harrier over SCM_RIGHTS; close it;
// execvp(CMD). The process keeps its pid, so Harrier waits for CMD directly.
// Exit codes before exec: 125 launcher/filter failure, 126 CMD not executable, 127 CMD not found.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_INSNS 4096

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int fail(const char *what)
{
	fprintf(stderr, "harrier-seccomp-exec: %s: %s\n", what, strerror(errno));
	return 125;
}

static int connect_abstract(const char *name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	if (len == 0 || len >= sizeof(addr.sun_path) - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(addr.sun_path + 1, name, len); // sun_path[0] = 0: abstract namespace
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int send_fd(int sock, int fd)
{
	char byte = 'L';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	if (first >= argc) {
		fprintf(stderr, "usage: HARRIER_SECCOMP_FILTER=<hex> harrier-seccomp-exec [--] CMD [ARGS...]\n");
		return 125;
	}

	const char *hex = getenv("HARRIER_SECCOMP_FILTER");
	if (!hex) {
		fprintf(stderr, "harrier-seccomp-exec: HARRIER_SECCOMP_FILTER is not set\n");
		return 125;
	}
	size_t hexlen = strlen(hex);
	if (hexlen == 0 || hexlen % 16 != 0 || hexlen / 16 > MAX_INSNS) {
		fprintf(stderr, "harrier-seccomp-exec: HARRIER_SECCOMP_FILTER must hold 1..%d instructions of 8 bytes\n", MAX_INSNS);
		return 125;
	}
	size_t bytes = hexlen / 2;
	unsigned char *buf = malloc(bytes);
	if (!buf)
		return fail("malloc");
	for (size_t i = 0; i < bytes; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "harrier-seccomp-exec: HARRIER_SECCOMP_FILTER is not hex\n");
			return 125;
		}
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	struct sock_fprog prog = { .len = (unsigned short)(bytes / sizeof(struct sock_filter)), .filter = (struct sock_filter *)buf };

	const char *notify = getenv("HARRIER_SECCOMP_NOTIFY");
	char notify_name[108] = { 0 };
	if (notify)
		snprintf(notify_name, sizeof(notify_name), "%s", notify);
	unsetenv("HARRIER_SECCOMP_FILTER");
	unsetenv("HARRIER_SECCOMP_NOTIFY");

	int sock = -1;
	if (notify_name[0]) {
		sock = connect_abstract(notify_name);
		if (sock < 0)
			return fail("connect to the Harrier supervisor");
	}

	/*
	 * A running Harrier attributes this workload's denials to its profile once Harrier exec has registered our pid in
	 * the run directory. Wait (at most 2 s) for that file before the filter goes on, so even the workload's first
	 * call is attributed; access() and nanosleep() are still unfiltered here.
	 */
	const char *regdir = getenv("HARRIER_SECCOMP_REGISTER_DIR");
	if (regdir && *regdir) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%d.yaml", regdir, (int)getpid());
		for (int i = 0; i < 2000 && access(path, F_OK) != 0; i++)
			usleep(1000);
	}
	unsetenv("HARRIER_SECCOMP_REGISTER_DIR");

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail("prctl(PR_SET_NO_NEW_PRIVS)");

	unsigned int flags = sock >= 0 ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc < 0)
		return fail("seccomp(SECCOMP_SET_MODE_FILTER)");
	free(buf);

	// From here on every syscall goes through the filter.
	if (sock >= 0) {
		int listener = (int)rc;
		if (send_fd(sock, listener) != 0)
			return fail("sending the seccomp listener to Harrier");
		close(listener);
		close(sock);
	}

	execvp(argv[first], &argv[first]);
	int e = errno;
	fprintf(stderr, "harrier-seccomp-exec: %s: %s\n", argv[first], strerror(e));
	return e == ENOENT ? 127 : 126;
}
